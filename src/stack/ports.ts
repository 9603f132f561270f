import { createServer, type AddressInfo, type Server } from "node:net";

export type PortState = "free" | "in-use" | "privileged";

/** Whether something already listens on a host port the local stack wants to publish. */
export function probePort(port: number, host = "127.0.0.1"): Promise<PortState> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "EACCES" ? "privileged" : "in-use");
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve("free")));
  });
}

/** Where a project's moved ports are looked for: above the usual dev ports, below Linux's ephemeral range (32768-). */
export const MOVED_PORT_RANGE = { from: 15000, to: 32000 } as const;

export interface PortChoice {
  /** The key under `ports:` in the profile. */
  key: string;
  port: number;
  /** Its default in the profile schema. */
  default: number;
  /** explicit: written in the profile (never moved); default; remembered: chosen by an earlier `up`; moved: the others were taken. */
  source: "explicit" | "default" | "remembered" | "moved";
}

export interface PortInputs {
  stack: string;
  /** The keys the stack publishes, in a stable order. */
  wanted: string[];
  /** Every key's port in the resolved profile (defaults, written or remembered). */
  current: Record<string, number>;
  defaults: Record<string, number>;
  explicit: Set<string>;
  remembered: Record<string, number>;
  /** Host ports this stack's own running containers publish: taken by us, so still ours. */
  ours: Set<number>;
  /** Ports other projects' stacks have remembered. */
  reserved: Set<number>;
  /** Whether something listens on the port now. */
  busy: (port: number) => Promise<boolean>;
}

/**
 * Keys never moved off their default: the app's URLs (config.url, the
 * ingress's certificates, browsers) assume the ingress on 80 and 443. A
 * taken one fails as before, naming ports.http or ports.https.
 */
const FIXED_PORT_KEYS: ReadonlySet<string> = new Set(["http", "https"]);

/** Whether `up` may publish this key on another port when its own is taken: not when the profile writes it, nor the ingress's. */
export function movablePortKey(key: string, explicit: ReadonlySet<string>): boolean {
  return !explicit.has(key) && !FIXED_PORT_KEYS.has(key);
}

/** Where a project starts looking for a moved key's port: a hash of the stack id and the key, so each project lands apart and on the same port every time. */
export function hashedStart(stack: string, key: string, range: { from: number; to: number } = MOVED_PORT_RANGE): number {
  let h = 0x811c9dc5;
  for (const ch of `${stack}:${key}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return range.from + (h % (range.to - range.from));
}

/**
 * The host port of each key the stack publishes. A key written in the profile
 * keeps its port (a taken one fails clearly when the container starts). The
 * others keep the port an earlier run remembered, else their default, while
 * it is free or this stack's own; when it is taken, a port from a hash of
 * the project and key, probed upward: deterministic per project.
 */
export async function choosePorts(input: PortInputs): Promise<PortChoice[]> {
  const assigned = new Set<number>();
  // Keys not published here still hold their ports in the profile: two keys never share one.
  for (const [key, port] of Object.entries(input.current)) if (!input.wanted.includes(key)) assigned.add(port);
  for (const key of input.wanted) if (input.explicit.has(key)) assigned.add(input.current[key] as number);
  const usable = async (port: number) => !assigned.has(port) && !input.reserved.has(port) && (input.ours.has(port) || !(await input.busy(port)));
  const choices: PortChoice[] = [];
  for (const key of input.wanted) {
    const dflt = input.defaults[key] as number;
    if (input.explicit.has(key)) {
      choices.push({ key, port: input.current[key] as number, default: dflt, source: "explicit" });
      continue;
    }
    if (FIXED_PORT_KEYS.has(key)) {
      choices.push({ key, port: dflt, default: dflt, source: "default" });
      assigned.add(dflt);
      continue;
    }
    let choice: PortChoice | undefined;
    const remembered = input.remembered[key];
    if (remembered !== undefined && (await usable(remembered))) choice = { key, port: remembered, default: dflt, source: remembered === dflt ? "default" : "remembered" };
    else if (await usable(dflt)) choice = { key, port: dflt, default: dflt, source: "default" };
    else {
      const { from, to } = MOVED_PORT_RANGE;
      const start = hashedStart(input.stack, key);
      for (let i = 0; i < to - from && !choice; i++) {
        const port = from + ((start - from + i) % (to - from));
        if (await usable(port)) choice = { key, port, default: dflt, source: "moved" };
      }
    }
    // Nothing free in the whole range: keep the default, whose start then fails naming the key.
    choice ??= { key, port: dflt, default: dflt, source: "default" };
    assigned.add(choice.port);
    choices.push(choice);
  }
  return choices;
}

/**
 * Distinct ports on 127.0.0.1 that nothing listens on right now, held open
 * together while chosen: one at a time, the kernel may hand the same port out
 * twice (a test stack once got ports.kubeApi = ports.smtp).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
