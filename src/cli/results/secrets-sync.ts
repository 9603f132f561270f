import { z } from "zod";
import { result } from "./lines.js";

/** `devstack secrets sync --json`: generated, already present, still missing (exit 1 while an external one is), and delivery. */
export const schema = result("secrets sync", {
  profile: z.string(),
  store: z.string(),
  created: z.array(z.string()),
  present: z.array(z.string()),
  missingExternal: z.array(z.string()),
  delivery: z.discriminatedUnion("delivered", [
    z.strictObject({ delivered: z.literal(true), namespace: z.string(), secrets: z.array(z.string()) }),
    z.strictObject({ delivered: z.literal(false), reason: z.string() }),
  ]),
  ms: z.number().int().nonnegative(),
});
