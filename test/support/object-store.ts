import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { objectStoreAnswering } from "../../src/stack/standins/object-store.js";
import { waitFor } from "../../src/stack/wait.js";
import { freePort } from "./ports.js";

/** The object-store stand-in's entrypoint: s3rver behind RustFS's contract, with real SigV4 checks. */
export const OBJECT_STORE_ENTRYPOINT = join(import.meta.dirname, "..", "..", "scripts", "standins", "object-store", "entrypoint.mjs");

export const objectStoreMissing = (() => {
  try {
    createRequire(OBJECT_STORE_ENTRYPOINT).resolve("s3rver");
    return undefined;
  } catch {
    return "npm devDependency s3rver is not installed (npm ci)";
  }
})();

export interface TestObjectStore {
  endpoint: string;
  stop(): void;
}

/** Runs the stand-in on the host on a free port, its keys in files as devstack passes them. */
export async function startObjectStore(dir: string, keys: { accessKeyId: string; secretAccessKey: string }): Promise<TestObjectStore> {
  writeFileSync(join(dir, "access"), keys.accessKeyId);
  writeFileSync(join(dir, "secret"), keys.secretAccessKey);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [OBJECT_STORE_ENTRYPOINT, join(dir, "data")], {
    env: { ...process.env, RUSTFS_ADDRESS: `127.0.0.1:${port}`, RUSTFS_ACCESS_KEY_FILE: join(dir, "access"), RUSTFS_SECRET_KEY_FILE: join(dir, "secret") },
    stdio: "ignore",
  });
  await waitFor("the object-store stand-in", () => objectStoreAnswering(endpoint), 20_000, 100);
  return { endpoint, stop: () => server.kill("SIGTERM") };
}
