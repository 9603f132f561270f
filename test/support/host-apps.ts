import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { displayName, GROUPS } from "../../src/secrets/model.js";
import type { Snapshot } from "../../src/secrets/store.js";
import { ROOT } from "./cli.js";
import { freePortsFor } from "./ports.js";

const SHOP = join(ROOT, "examples", "shop");

/** The offline stand-in for every service container a services-only stack of the shop runs. */
const SHOP_STANDINS = {
  registry: "devstack-standin/registry:bookworm",
  postgres: "devstack-standin/postgres:bookworm",
  pebble: "devstack-standin/pebble:bookworm",
  "pebble-challtestsrv": "devstack-standin/challtestsrv:bookworm",
  smtp: "devstack-standin/smtp:bookworm",
  "object-store": "devstack-standin/object-store:bookworm",
  redis: "devstack-standin/redis:bookworm",
};

/** The stand-in images the shop needs that are not built here, as a reason to skip; undefined when all are. */
export function shopStandinsMissing(): string | undefined {
  const missing = Object.values(SHOP_STANDINS).filter((image) => spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status !== 0);
  return missing.length === 0 ? undefined : `stand-in image${missing.length === 1 ? "" : "s"} ${missing.join(", ")} not built (scripts/build-standin-images.sh)`;
}

/**
 * A copy of examples/shop (without installed dependencies) with a profile
 * `test`: the stand-in images and free host ports, so the stack shares
 * nothing with a developer's own.
 */
export async function shopProject(): Promise<{ dir: string; profile: string; ports: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), "devstack-shop-"));
  cpSync(SHOP, dir, { recursive: true, filter: (src) => basename(src) !== "node_modules" });
  const names = ["registry", "postgres", "acme", "acmeManagement", "acmeTestServer", "smtp", "smtpUi", "http", "https", "kubeApi", "objectStore", "redis"];
  const ports = await freePortsFor(names);
  const overrides = Object.entries(SHOP_STANDINS).map(([k, v]) => `    ${k}: ${v}`).join("\n");
  const portLines = Object.entries(ports).map(([k, v]) => `  ${k}: ${v}`).join("\n");
  writeFileSync(join(dir, "profiles", "test.yaml"), `description: the shop's services for a test, on stand-ins\ncluster:\n  type: k3s\ndomain: localhost\nimages:\n  overrides:\n${overrides}\nports:\n${portLines}\nvars:\n  api_host: api.shop.localhost\n`);
  return { dir, profile: "test", ports };
}

/** Every value of a secret store by the name devstack's output shows it under (`[secret:NAME]`). */
export function secretsByName(snapshot: Snapshot): Record<string, string> {
  const values: Record<string, string> = {};
  for (const group of GROUPS) for (const [name, entry] of Object.entries(snapshot[group])) values[displayName({ group, name })] = entry.value;
  return values;
}

/**
 * An environment as `up` printed it, with each `[secret:NAME]` the redactor
 * put there replaced by the value: whole, or URL-encoded inside a URL (the
 * form the redactor found there).
 */
export function unredact(env: Record<string, string>, secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => {
      const filled = value.replace(/\[secret:([^\]]+)\]/g, (marker, name: string) => {
        const secret = secrets[name];
        if (secret === undefined) throw new Error(`${key} holds ${marker}, which the secret store does not have`);
        return marker === value ? secret : encodeURIComponent(secret);
      });
      return [key, filled];
    }),
  );
}

export interface LogLine {
  level?: string;
  msg?: string;
  [field: string]: unknown;
}

/**
 * A Node process of the app on the host, with exactly the environment it is
 * given (plus PATH and HOME), its JSON log lines collected.
 */
export class HostProcess {
  readonly lines: LogLine[] = [];
  private output = "";
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    script: string,
    cwd: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, [script], { cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
      partial += chunk.toString();
      const complete = partial.split("\n");
      partial = complete.pop() ?? "";
      for (const line of complete.filter((l) => l.trim() !== "")) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ level: "unparsed", msg: line });
        }
      }
    });
    this.child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything it wrote, for a failure message. */
  get log(): string {
    return `--- ${this.name} ---\n${this.output.slice(-8000)}`;
  }

  /** The first log line that matches, waiting up to timeoutMs; fails with the process's output. */
  async waitFor(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before the line looked for\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no such line within ${timeoutMs} ms\n${this.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, as Kubernetes stops a pod; the exit code, or undefined when it had to be killed after graceMs. */
  async stop(graceMs = 10_000): Promise<number | null | undefined> {
    if (!this.running) return this.child.exitCode;
    this.child.kill("SIGTERM");
    const code = await Promise.race([this.exited, new Promise<"late">((r) => setTimeout(() => r("late"), graceMs))]);
    if (code !== "late") return code;
    this.child.kill("SIGKILL");
    await this.exited;
    return undefined;
  }
}

/** Polls until check returns a value other than undefined; fails after timeoutMs with what describe() says. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
