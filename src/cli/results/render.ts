import { z } from "zod";
import { result } from "./lines.js";

const ms = z.number().int().nonnegative();

/** `devstack render --json`: what was rendered and validated, per release; the manifests themselves with --out. */
export const schema = result("render", {
  profile: z.string(),
  kubeVersion: z.string(),
  image: z.string(),
  releases: z.array(
    z.strictObject({
      release: z.string(),
      namespace: z.string(),
      resources: z.array(z.strictObject({ kind: z.string(), name: z.string(), namespace: z.string().nullable(), source: z.string() })),
      skipped: z.strictObject({ dependencies: z.array(z.string()), reason: z.string() }).nullable(),
      withoutCrd: z.array(z.string()),
      ms: z.strictObject({ values: ms, helm: ms, validate: ms }),
    }),
  ),
  files: z.array(z.string()),
  ms,
});
