import { z } from "zod";
import { result } from "./lines.js";

const fieldDifference = z.strictObject({ resource: z.string(), path: z.string(), a: z.unknown(), b: z.unknown(), because: z.string().optional() });

/** `devstack diff A B --json`: resolved values, then rendered manifests, compared. */
export const schema = result("diff", {
  a: z.string(),
  b: z.string(),
  count: z.number().int().nonnegative(),
  differences: z.array(z.strictObject({ path: z.string(), a: z.unknown(), b: z.unknown() })),
  manifests: z.discriminatedUnion("compared", [
    z.strictObject({
      compared: z.literal(true),
      parity: z.boolean(),
      skippedDependencies: z.array(z.string()),
      onlyInA: z.array(z.string()),
      onlyInB: z.array(z.string()),
      expected: z.array(fieldDifference),
      unexpected: z.array(fieldDifference),
    }),
    z.strictObject({ compared: z.literal(false), parity: z.literal(false), error: z.string() }),
  ]),
});
