// The worker's liveness check: its heartbeat is less than a minute old.
import { readFileSync } from "node:fs";

const file = process.env.HEARTBEAT_FILE ?? "/tmp/heartbeat";
try {
  const age = Date.now() - Number(readFileSync(file, "utf8"));
  process.exit(age < 60_000 ? 0 : 1);
} catch {
  process.exit(1);
}
