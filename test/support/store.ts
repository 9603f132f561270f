import { LocalStore } from "../../src/secrets/local-store.js";
import type { Snapshot } from "../../src/secrets/store.js";

/** Reads a project's local store as a CLI run with DEVSTACK_HOME=home wrote it. */
export async function readStoreIn(home: string, projectDir: string, profile = "local", app = "hello"): Promise<Snapshot> {
  const saved = process.env.DEVSTACK_HOME;
  process.env.DEVSTACK_HOME = home;
  try {
    return await LocalStore.forProject(app, projectDir, profile).read();
  } finally {
    if (saved === undefined) delete process.env.DEVSTACK_HOME;
    else process.env.DEVSTACK_HOME = saved;
  }
}
