import { z } from "zod";
import { result } from "./lines.js";

/** `devstack doctor --json`: every check; `ok` is false (and the exit code 1) when one failed. */
export const schema = result("doctor", {
  ok: z.boolean(),
  checks: z.array(
    z.strictObject({
      id: z.string(),
      title: z.string(),
      status: z.enum(["ok", "warn", "fail", "skip"]),
      detail: z.string(),
      fix: z.string().optional(),
    }),
  ),
});
