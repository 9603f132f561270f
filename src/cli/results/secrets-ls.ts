import { z } from "zod";
import { result } from "./lines.js";

/** `devstack secrets ls --json`: every declared secret's state; never a value. */
export const schema = result("secrets ls", {
  profile: z.string(),
  store: z.strictObject({ kind: z.enum(["local", "aws-secrets-manager"]), location: z.string() }),
  secrets: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(["generate", "external", "derived"]),
      group: z.string(),
      description: z.string().nullable(),
      state: z.enum(["present", "missing"]),
      updatedAt: z.string().nullable(),
    }),
  ),
});
