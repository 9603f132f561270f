import { z } from "zod";
import { result } from "./lines.js";

const record = z.strictObject({
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
});

/** `devstack releases --json`: Helm's history, newest first, with devstack's record of each deploy. */
export const schema = result("releases", {
  profile: z.string(),
  release: z.string(),
  releases: z.array(
    z.strictObject({
      revision: z.number().int(),
      status: z.string(),
      updated: z.string(),
      chart: z.string(),
      record: record.optional(),
      note: z.string().optional(),
    }),
  ),
});
