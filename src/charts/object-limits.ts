import type { Manifest } from "./manifests.js";

// Limits the API server enforces that no schema states: a ConfigMap's or
// Secret's data (1 MiB), an object as etcd stores it (1.5 MiB), and an
// object's annotations (256 KiB). A value within the config's own limits can
// still render past them (one large env value in the env ConfigMap), and
// helm would only find out from the cluster.

const MiB = 1024 * 1024;
const DATA_LIMIT = MiB;
const OBJECT_LIMIT = 1.5 * MiB;
const ANNOTATIONS_LIMIT = 256 * 1024;

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const size = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

export function objectLimitProblems(m: Manifest): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if ((m.kind === "ConfigMap" || m.kind === "Secret") && m.apiVersion === "v1") {
    let total = 0;
    for (const field of ["data", "binaryData", "stringData"] as const) {
      const values = m[field] as Record<string, string> | undefined;
      // Base64 fields count as the bytes they hold: a Secret's data, a ConfigMap's binaryData.
      const encoded = (field === "data" && m.kind === "Secret") || field === "binaryData";
      for (const [key, value] of Object.entries(values ?? {})) total += bytes(key) + (encoded ? Buffer.from(String(value), "base64").length : bytes(String(value)));
    }
    if (total > DATA_LIMIT) problems.push({ path: "data", message: `holds ${size(total)}; a ${m.kind} holds at most 1 MiB` });
  }
  const annotations = m.metadata?.annotations ?? {};
  const annotationBytes = Object.entries(annotations).reduce((n, [k, v]) => n + bytes(k) + bytes(String(v)), 0);
  if (annotationBytes > ANNOTATIONS_LIMIT) problems.push({ path: "metadata.annotations", message: `hold ${size(annotationBytes)}; an object's annotations hold at most 256 KiB` });
  const whole = bytes(JSON.stringify(m));
  if (whole > OBJECT_LIMIT) problems.push({ path: "", message: `is ${size(whole)}; the API server stores objects of at most 1.5 MiB` });
  return problems;
}
