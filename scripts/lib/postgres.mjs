import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.mjs";

/**
 * The newest Debian postgresql server's bin directory, or why there is none.
 * @returns {{ bin: string } | { missing: string }}
 */
export function findPostgres() {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "postgres"))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) return { missing: "no PostgreSQL server in /usr/lib/postgresql (apt-get install postgresql)" };
  if (userInfo().uid === 0 && spawnSync("id", ["postgres"]).status !== 0) return { missing: "running as root and there is no postgres user to run the server" };
  return { bin: join(base, newest, "bin") };
}

/**
 * A throwaway real PostgreSQL server on 127.0.0.1: password authentication
 * over TCP (as the app uses it), trust only on its private socket directory.
 */
/** @param {string} bin @returns {Promise<import("./postgres.d.mts").TestPostgres>} */
export async function startPostgres(bin) {
  const dir = mkdtempSync(join(tmpdir(), "devstack-pg-"));
  const asRoot = userInfo().uid === 0;
  // PostgreSQL refuses to run as root; hand the directory to the postgres user.
  const wrap = (/** @type {string} */ file, /** @type {string[]} */ args) => (asRoot ? ["runuser", ["-u", "postgres", "--", file, ...args]] : [file, args]);
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const port = await freePort();
  const exec = (/** @type {string} */ file, /** @type {string[]} */ args) => {
    const [f, a] = wrap(file, args);
    return execFileSync(f, a, { stdio: ["ignore", "pipe", "pipe"] }).toString();
  };
  exec(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"]);
  exec(join(bin, "pg_ctl"), [
    "-D", data, "-w", "-t", "60", "-l", join(dir, "server.log"),
    "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "start",
  ]);
  return {
    port,
    socketDir: dir,
    bin,
    database: (/** @type {string} */ name, /** @type {string} */ password) => {
      exec(join(bin, "psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atq", "-c", `CREATE ROLE "${name}" LOGIN PASSWORD '${password.replace(/'/g, "''")}'`]);
      exec(join(bin, "psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atq", "-c", `CREATE DATABASE "${name}" OWNER "${name}"`]);
      return `postgres://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
    },
    sql: (/** @type {string} */ statement, database = "postgres") => exec(join(bin, "psql"), ["-h", dir, "-p", String(port), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", statement]),
    stop: () => {
      try {
        exec(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
