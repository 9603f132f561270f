import { z } from "zod";

/** A flow's plan as `--dry-run --json` prints it (src/flows/plan.ts). */
const planStep = z.strictObject({
  id: z.string(),
  title: z.string(),
  decision: z.enum(["run", "skip", "unknown"]),
  reason: z.string().optional(),
  onFailureOf: z.string().optional(),
});

export const planShape = {
  flow: z.enum(["deploy", "promote", "rollback", "platform", "up"]),
  app: z.string(),
  profile: z.string(),
  target: z.string(),
  steps: z.array(planStep),
  unobserved: z.array(z.strictObject({ what: z.string(), why: z.string(), fix: z.string().optional() })),
  blockers: z.array(z.strictObject({ message: z.string(), fix: z.string() })),
};

export const plan = z.strictObject(planShape);

export const releaseRecord = z.strictObject({
  devstack: z.literal(1),
  commit: z.string().nullable(),
  dirty: z.boolean(),
  image: z.string(),
  digest: z.string().nullable(),
  configHash: z.string(),
  chart: z.string(),
  by: z.string(),
  at: z.string(),
  promotedFrom: z.string().optional(),
  components: z.record(z.string(), z.string()).optional(),
});

export const deployPlan = z.strictObject({
  ...planShape,
  image: z.string(),
  record: releaseRecord.nullable(),
  rollbackTo: z.number().int().nullable(),
  url: z.string(),
});

export const smokeResult = z.looseObject({ ok: z.boolean(), attempts: z.number().int(), ms: z.number() });
