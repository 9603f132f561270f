// How the worker and the cron job call the API inside the cluster (its Service, port 80).
const base = process.env.API_URL ?? "http://localhost:8080";

export async function api(path, init = {}) {
  const res = await fetch(`${base}/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${process.env.API_TOKEN ?? ""}`, "content-type": "application/json", ...init.headers },
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: HTTP ${res.status}`);
  return res.json();
}
