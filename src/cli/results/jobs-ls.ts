import { z } from "zod";
import { result } from "./lines.js";

/** `devstack jobs ls --json`: the app's CronJobs and their last run. */
export const schema = result("jobs ls", {
  profile: z.string(),
  jobs: z.array(
    z.strictObject({
      name: z.string(),
      /** The component whose image it runs ("exports" for scheduled exports); null for a CronJob the config no longer has. */
      component: z.string().nullable(),
      schedule: z.string(),
      timeZone: z.string().nullable(),
      suspended: z.boolean(),
      lastRun: z.string().nullable(),
      lastResult: z.enum(["succeeded", "failed", "running"]).nullable(),
    }),
  ),
});
