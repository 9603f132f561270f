import { z } from "zod";
import { deployed } from "./deploy.js";
import { result } from "./lines.js";
import { deployPlan } from "./plan.js";

const change = z.strictObject({ resource: z.string(), change: z.enum(["added", "removed", "changed"]), fields: z.array(z.looseObject({ path: z.string() })) });

const promotePlan = deployPlan.extend({
  flow: z.literal("promote"),
  source: z.string(),
  from: z.strictObject({ repository: z.string(), digest: z.string(), revision: z.number().int() }).nullable(),
  to: z.strictObject({ repository: z.string(), tag: z.string(), digest: z.string().optional() }).nullable(),
  changes: z.array(change).nullable(),
  configDifferences: z.number().int(),
});

/** `promote --json`: the plan with --dry-run; else a "plan" event, then what was deployed. */
export const schema = z.union([
  result("promote", { dryRun: z.literal(true), plan: promotePlan }),
  result("promote", { dryRun: z.literal(false), from: z.string(), ...deployed }),
]);
