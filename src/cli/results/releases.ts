import { z } from "zod";
import { result } from "./lines.js";
import { releaseRecord as record } from "./plan.js";


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
