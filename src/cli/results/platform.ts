import { z } from "zod";
import { result, steps } from "./lines.js";
import { plan } from "./plan.js";

/** `platform --json`: the plan with --dry-run, else what happened to the platform release. */
export const schema = z.union([
  result("platform", { dryRun: z.literal(true), plan }),
  result("platform", { dryRun: z.literal(false), profile: z.string(), platform: z.enum(["installed", "upgraded", "unchanged"]), plan, steps }),
]);
