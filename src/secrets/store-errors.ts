import { DevstackError } from "../errors.js";
import { describeOsError } from "../fs/os-errors.js";
import { scrubKey } from "./identity.js";
import { LockLostError } from "./store-lock.js";

/**
 * A file-system failure while reading or writing the store or its key, in
 * words: what devstack was doing, the path, and what to do. Errors that are
 * already devstack's pass through unchanged; anything unforeseen keeps its
 * message (scrubbed of key material) rather than becoming "unexpected".
 */
function storeFsError(error: unknown, doing: string, path: string): DevstackError {
  if (error instanceof DevstackError) return error;
  const e = error as NodeJS.ErrnoException;
  const known = describeOsError(error);
  const where = e?.path ?? path;
  if (known) {
    const unchanged = doing.startsWith("write") || doing.startsWith("create") ? "; nothing was changed, the stored values are intact" : "";
    return new DevstackError(`cannot ${doing} ${where}: ${known.message.replace(/^cannot write or read [^:]*: /, "")}${unchanged}`, { fix: known.fix, kind: "filesystem" });
  }
  const code = e?.code ? ` [${e.code}]` : "";
  return new DevstackError(`cannot ${doing} ${where}: ${scrubKey(e?.message ?? String(error))}${code}`, {
    fix: `check that ${where} is a file devstack may read and write (or point DEVSTACK_HOME at another directory)`,
    kind: "filesystem",
  });
}

/** Runs fs work, turning its failures into store errors. */
export async function fsStep<T>(doing: string, path: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A lost lock is retried by the store, not reported.
    if (error instanceof LockLostError) throw error;
    throw storeFsError(error, doing, path);
  }
}
