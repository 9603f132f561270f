import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { PLATFORM_NAMESPACE } from "../charts/names.js";
import { writeDurable } from "../fs/durable.js";
import { userDirs } from "../fs/paths.js";
import { PEBBLE_DIR } from "./components.js";
import { createCa, issueServerCert, type Pem } from "./tls.js";

export function stackStateDir(stack: string): string {
  return join(userDirs().data, "stacks", stack);
}

/** The CA behind Pebble's own HTTPS; kept, so the caBundle the ClusterIssuer trusts stays valid. */
export async function pebbleApiCa(stack: string): Promise<Pem> {
  const dir = stackStateDir(stack);
  const certFile = join(dir, "pebble-api-ca.pem");
  const keyFile = join(dir, "pebble-api-ca.key");
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await createCa("devstack local ACME server CA");
  writeDurable(keyFile, ca.key, { mode: 0o600 });
  writeDurable(certFile, ca.cert, { mode: 0o644 });
  return ca;
}

/** Pebble's config and certificate, as files put into its container before it starts. */
export async function pebbleFiles(stack: string, httpPort: number): Promise<{ path: string; content: string; mode: number }[]> {
  const ca = await pebbleApiCa(stack);
  const leaf = await issueServerCert(ca, ["pebble", "localhost", `pebble.${PLATFORM_NAMESPACE}.svc.cluster.local`, `pebble.${PLATFORM_NAMESPACE}.svc`], ["127.0.0.1"]);
  const config = {
    pebble: {
      listenAddress: "0.0.0.0:14000",
      managementListenAddress: "0.0.0.0:15000",
      certificate: `${PEBBLE_DIR}/cert.pem`,
      privateKey: `${PEBBLE_DIR}/key.pem`,
      httpPort,
      tlsPort: 5001,
      ocspResponderURL: "",
      externalAccountBindingRequired: false,
    },
  };
  return [
    { path: `${PEBBLE_DIR}/config.json`, content: JSON.stringify(config, null, 2), mode: 0o444 },
    { path: `${PEBBLE_DIR}/cert.pem`, content: leaf.cert, mode: 0o444 },
    { path: `${PEBBLE_DIR}/key.pem`, content: leaf.key, mode: 0o444 },
  ];
}

/** GETs a URL over HTTPS trusting only the given CA (Pebble's API and management endpoints). */
export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url}`)));
    req.end();
  });
}

/** Pebble makes a new issuing root on every start; this is the current one. */
export async function pebbleRoot(managementPort: number, ca: string): Promise<string> {
  const res = await httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, ca);
  if (res.status !== 200) throw new Error(`Pebble's management API answered ${res.status}`);
  return res.body;
}

/** Tells the ACME test DNS server which address every name resolves to (the ingress, or itself). */
export async function setDefaultIpv4(managementPort: number, ip: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${managementPort}/set-default-ipv4`, { method: "POST", body: JSON.stringify({ ip }) });
  if (!res.ok) throw new Error(`challtestsrv refused set-default-ipv4: ${res.status} ${await res.text()}`);
}
