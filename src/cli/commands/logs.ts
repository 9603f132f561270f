import { PLATFORM_NAMESPACE } from "../../project/names.js";
import { kubeConfig } from "../../cluster/apply.js";
import { forwardToPod } from "../../cluster/port-forward.js";
import { loadConfig } from "../../config/resolve.js";
import { clusterAccess } from "../../deploy/target.js";
import { formatLine } from "../../logs/format.js";
import { buildLogQL, parseTime } from "../../logs/logql.js";
import { LokiClient, type LogLine } from "../../logs/loki.js";
import { out, printEvent, printResult } from "../output.js";
import { openStore } from "../../secrets/open-store.js";
import { protectLocalStores, protectSnapshot } from "../protect.js";

interface LogsOptions {
  profile?: string;
  query?: string;
  level?: string;
  component?: string;
  grep?: string;
  since?: string;
  until?: string;
  limit?: string;
  follow?: boolean;
  json?: boolean;
}

export async function run(options: LogsOptions): Promise<number> {
  const config = loadConfig({ profile: options.profile ?? "local" });
  // App lines can carry a secret by mistake: every value the store holds is redacted from what is printed.
  if (config.profile.secretStore.type === "local") await protectLocalStores([config]);
  else protectSnapshot(config, await (await openStore(config)).read());
  const query = options.query ?? buildLogQL({ app: config.app.name, environment: config.profileName, ...(options.level ? { level: options.level } : {}), ...(options.component ? { component: options.component } : {}), ...(options.grep ? { grep: options.grep } : {}) });
  const access = await clusterAccess(config);
  // The forward finds the Loki pod per connection, so it survives a pod restart.
  const forward = await forwardToPod(await kubeConfig(access.kubeconfig, access.context), PLATFORM_NAMESPACE, "app.kubernetes.io/name=loki", 3100);
  const loki = new LokiClient(`http://127.0.0.1:${forward.port}`);
  const colour = process.stdout.isTTY && !process.env.NO_COLOR;
  let count = 0;
  const print = (lines: LogLine[]) => {
    count += lines.length;
    for (const l of lines) {
      if (options.json) printEvent("log", { time: l.time.toISOString(), labels: l.labels, line: l.line });
      else out(formatLine(l, colour));
    }
  };
  // With --json every log line is an event; the result closes the stream (after Ctrl-C when following).
  const done = () => {
    if (options.json) printResult("logs", { profile: config.profileName, query, count, follow: options.follow === true });
    return 0;
  };
  try {
    const start = parseTime(options.since ?? "1h");
    const end = options.until ? parseTime(options.until) : new Date();
    const limit = Number(options.limit ?? 200);
    // Shown oldest first, like a terminal log.
    const first = (await loki.queryRange({ query, start, end, limit, direction: "backward" })).reverse();
    print(first);
    if (!options.follow) return done();
    let last = first.at(-1)?.timeNs ?? `${BigInt(end.getTime()) * 1_000_000n}`;
    const stop = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
    for (;;) {
      const tick = new Promise<"tick">((resolve) => setTimeout(() => resolve("tick"), 2000));
      if ((await Promise.race([tick, stop])) !== "tick") return done();
      const from = new Date(Number(BigInt(last) / 1_000_000n));
      const lines = (await loki.queryRange({ query, start: from, end: new Date(), limit: 1000, direction: "forward" })).filter((l) => BigInt(l.timeNs) > BigInt(last));
      print(lines);
      last = lines.at(-1)?.timeNs ?? last;
    }
  } finally {
    await forward.close();
    access.dispose();
  }
}
