import { z } from "zod";
import { result } from "./lines.js";

/** The job's own output as it comes, before the result: `{"type":"event","event":"output","text":...}`. */
export const outputEvent = z.strictObject({ type: z.literal("event"), event: z.literal("output"), text: z.string() });

/** `devstack jobs run NAME --json`: the Job made from the CronJob and whether it succeeded (exit 1 when not). */
export const schema = result("jobs run", {
  profile: z.string(),
  job: z.string(),
  succeeded: z.boolean(),
});
