import { z } from "zod";
import { result } from "./lines.js";

/** One log line, as an event before the result: `{"type":"event","event":"log","time":...,"labels":{...},"line":...}`. */
export const logEvent = z.strictObject({ type: z.literal("event"), event: z.literal("log"), time: z.string(), labels: z.record(z.string(), z.string()), line: z.string() });

/** `devstack logs --json`: after the lines, the query that found them and how many there were. */
export const schema = result("logs", {
  profile: z.string(),
  query: z.string(),
  count: z.number().int().nonnegative(),
  follow: z.boolean(),
});
