import { z } from "zod";
import { result, steps } from "./lines.js";
import { deployPlan, releaseRecord, smokeResult } from "./plan.js";

/** What a deploy (or a promote, which ends in one) reports it did. */
export const deployed = {
  profile: z.string(),
  release: z.string(),
  revision: z.number().int().nullable(),
  image: z.string(),
  url: z.string(),
  smoke: smokeResult,
  record: releaseRecord,
  platform: z.enum(["installed", "upgraded", "unchanged"]),
  skipped: z.boolean(),
  skippedSteps: z.array(z.string()),
  steps,
};

/** `deploy --json`: the plan with --dry-run, else what was deployed. */
export const schema = z.union([
  result("deploy", { dryRun: z.literal(true), plan: deployPlan }),
  result("deploy", { dryRun: z.literal(false), ...deployed }),
]);
