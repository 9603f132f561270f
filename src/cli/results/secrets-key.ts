import { z } from "zod";
import { result } from "./lines.js";

const key = z.strictObject({ where: z.string(), kind: z.enum(["file", "keychain"]), recipient: z.string() });

/** Where the store key lives and whether it opens the stores; a broken key is an event followed by the error line. */
const keyStatus = z.strictObject({
  state: z.enum(["ok", "none", "broken"]),
  where: z.string(),
  kind: z.enum(["file", "keychain"]).nullable(),
  recipient: z.string().nullable(),
  createdAt: z.string().nullable(),
  problem: z.string().nullable(),
  fix: z.string().nullable(),
  stores: z.array(z.string()),
});

/** `devstack secrets key --json`, by action; the key itself never appears. */
export const schema = z.discriminatedUnion("action", [
  result("secrets key", { action: z.literal("status"), key: keyStatus }),
  result("secrets key", { action: z.literal("export"), exported: z.string(), key }),
  result("secrets key", { action: z.literal("import"), imported: z.string(), changed: z.boolean(), key }),
  result("secrets key", { action: z.literal("move"), moved: z.boolean(), key }),
  result("secrets key", { action: z.literal("start-over"), setAside: z.string(), moved: z.array(z.string()) }),
]);
