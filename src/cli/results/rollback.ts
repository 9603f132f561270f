import { z } from "zod";
import { result, steps } from "./lines.js";
import { planShape, smokeResult } from "./plan.js";

const rollbackPlan = z.strictObject({ ...planShape, to: z.number().int().nullable(), serving: z.number().int().nullable() });

/** `rollback --json`: the plan with --dry-run, else the revision that now serves. */
export const schema = z.union([
  result("rollback", { dryRun: z.literal(true), plan: rollbackPlan }),
  result("rollback", { dryRun: z.literal(false), profile: z.string(), revision: z.number().int(), smoke: smokeResult, steps }),
]);
