import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { DevstackError } from "../../errors.js";
import { writeDurable } from "../../fs/durable.js";
import { PLATFORM_NAMESPACE } from "../../project/names.js";
import { stackStateDir } from "../../project/paths.js";
import { createCa, issueServerCert, type Pem } from "../tls.js";
import { resolveImage, type StandIn } from "./standin.js";

// Let's Encrypt's stand-in: Pebble, with its DNS test server so HTTP-01
// reaches the k3s ingress (or, without a cluster, the test server itself).

const PEBBLE_DIR = "/devstack/pebble";
const ACME_PORT = 14000;
const MANAGEMENT_PORT = 15000;
const TEST_DNS_PORT = 8053;
const TEST_HTTP01_PORT = 5002;
const TEST_MANAGEMENT_PORT = 8055;

export const challtestsrv: StandIn = {
  component: "pebble-challtestsrv",
  nameSuffix: "challtestsrv",
  image: "ghcr.io/letsencrypt/pebble-challtestsrv:2.8.0",
  memoryMi: 16,
  wanted: ({ config }) => config.profile.acme.type === "local",
  container: ({ config }) => ({
    component: "pebble-challtestsrv",
    image: resolveImage(challtestsrv, config.profile.images),
    cmd: ["-defaultIPv6", "", "-defaultIPv4", "127.0.0.1", "-dns01", `:${TEST_DNS_PORT}`, "-http01", `:${TEST_HTTP01_PORT}`, "-management", `:${TEST_MANAGEMENT_PORT}`, "-tlsalpn01", ""],
    env: {},
    secretEnv: {},
    ports: [{ container: TEST_MANAGEMENT_PORT, host: config.profile.ports.acmeTestServer, purpose: "ACME test DNS and HTTP-01 management", key: "ports.acmeTestServer" }],
    volumes: [],
    aliases: ["challtestsrv"],
  }),
  url: (config) => `http://127.0.0.1:${config.profile.ports.acmeTestServer}`,
  clusterPorts: [],
};

export const pebble: StandIn = {
  component: "pebble",
  nameSuffix: "pebble",
  image: "ghcr.io/letsencrypt/pebble:2.8.0",
  memoryMi: 24,
  wanted: ({ config }) => config.profile.acme.type === "local",
  container: ({ config, cluster }) => ({
    component: "pebble",
    image: resolveImage(pebble, config.profile.images),
    cmd: ["-config", `${PEBBLE_DIR}/config.json`, "-dnsserver", `challtestsrv:${TEST_DNS_PORT}`],
    // Fast and deterministic: no random validation sleeps, no rejected nonces, reuse of valid authorizations.
    env: { PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "100" },
    secretEnv: {},
    ports: [
      { container: ACME_PORT, host: config.profile.ports.acme, purpose: "ACME directory", key: "ports.acme" },
      { container: MANAGEMENT_PORT, host: config.profile.ports.acmeManagement, purpose: "ACME management (roots)", key: "ports.acmeManagement" },
    ],
    volumes: [],
    aliases: ["pebble"],
    // HTTP-01 goes to the ingress (port 80) with a cluster, to the test server (5002) without.
    inputs: { httpPort: cluster ? 80 : TEST_HTTP01_PORT },
  }),
  url: (config) => `https://127.0.0.1:${config.profile.ports.acme}/dir`,
  clusterPorts: [
    { name: "acme", port: ACME_PORT },
    { name: "management", port: MANAGEMENT_PORT },
  ],
};

/** The HTTP-01 port Pebble validates on, as its container spec recorded it. */
export function pebbleHttpPort(inputs: Record<string, string | number> | undefined): number {
  return Number(inputs?.httpPort ?? TEST_HTTP01_PORT);
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
      listenAddress: `0.0.0.0:${ACME_PORT}`,
      managementListenAddress: `0.0.0.0:${MANAGEMENT_PORT}`,
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
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new DevstackError(`no answer from ${url}`, { kind: "timeout" })));
    req.end();
  });
}

/** Pebble makes a new issuing root on every start; this is the current one. */
export async function pebbleRoot(managementPort: number, ca: string): Promise<string> {
  const res = await httpsGet(`https://127.0.0.1:${managementPort}/roots/0`, ca);
  if (res.status !== 200) throw new DevstackError(`Pebble's management API answered ${res.status}`, { kind: "failed", fix: "see why in `docker logs` of the pebble container; `devstack up` again recreates what is broken" });
  return res.body;
}

/** Tells the ACME test DNS server which address every name resolves to (the ingress, or itself). */
export async function setDefaultIpv4(managementPort: number, ip: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${managementPort}/set-default-ipv4`, { method: "POST", body: JSON.stringify({ ip }) });
  if (!res.ok) throw new DevstackError(`challtestsrv refused set-default-ipv4: ${res.status} ${await res.text()}`, { kind: "failed", fix: "see why in `docker logs` of the challtestsrv container; `devstack up` again recreates what is broken" });
}
