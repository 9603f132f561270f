import { Worker } from "node:worker_threads";
import { InternalError } from "../errors.js";

/** A DuckDB database on a thread of its own: statements in, changed-row counts out. */
export interface DuckSession {
  /** Runs `sql` (one or more statements); resolves to the rows the last one changed. */
  run(sql: string): Promise<number>;
  /** Closes the database and ends its thread; statements still queued fail. */
  close(): Promise<void>;
}

/**
 * The thread's code, plain CommonJS so it runs the same from the build and
 * from the TypeScript sources under test. Messages are handled one at a time,
 * in order, as on one connection.
 */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { DuckDBInstance } = require("node:module").createRequire(workerData.from)("@duckdb/node-api");
let connection;
let instance;
const answer = async (id, work) => {
  try {
    parentPort.postMessage({ id, value: await work() });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
};
let queue = answer(0, async () => {
  instance = await DuckDBInstance.create(":memory:", workerData.options);
  connection = await instance.connect();
});
parentPort.on("message", ({ id, sql }) => {
  queue = queue.then(() => answer(id, async () => {
    if (sql === undefined) {
      connection.closeSync();
      instance.closeSync();
      return 0;
    }
    return Number((await connection.run(sql)).rowsChanged);
  }));
});
`;

/**
 * Opens DuckDB on a worker thread. Loading it (a 70 MB library and some sixty
 * modules) takes about 0.1 s: on the main thread, that stopped the reading of
 * Postgres's COPY stream. Here it loads, and is found (package.json lookups
 * took 20 ms), while the main thread goes on.
 */
export function openDuckSession(options: Record<string, string>): Promise<DuckSession> {
  const worker = new Worker(SOURCE, { eval: true, workerData: { from: import.meta.url, options } });
  const waiting = new Map<number, { resolve: (value: number) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let ended: Error | undefined;
  const end = (error: Error) => {
    ended ??= error;
    for (const call of waiting.values()) call.reject(ended);
    waiting.clear();
  };
  worker.on("message", ({ id, value, error }: { id: number; value?: number; error?: string }) => {
    const call = waiting.get(id);
    waiting.delete(id);
    if (error === undefined) call?.resolve(value ?? 0);
    else call?.reject(new DuckDBError(error));
  });
  worker.on("error", (error) => end(error));
  worker.on("exit", (code) => end(new InternalError(`DuckDB's thread ended (exit code ${code})`)));
  const call = (sql?: string) =>
    new Promise<number>((resolve, reject) => {
      if (ended) return reject(ended);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage(sql === undefined ? { id } : { id, sql });
    });
  const opened = new Promise<number>((resolve, reject) => waiting.set(0, { resolve, reject }));
  const session: DuckSession = {
    run: (sql) => call(sql),
    close: async () => {
      await call().catch(() => 0);
      await worker.terminate();
    },
  };
  return opened.then(
    () => session,
    async (error: Error) => {
      await worker.terminate();
      throw error;
    },
  );
}

/** DuckDB's own message for a statement that failed: callers say what it was for. */
class DuckDBError extends Error {
  override name = "DuckDBError";
}
