import { z } from "zod";
import { result } from "./lines.js";

/** `devstack trust --json`: the local ACME root, and the system command that trusts it (run unless --print). */
export const schema = result("trust", {
  root: z.string(),
  trusted: z.boolean(),
  argv: z.array(z.string()).nullable(),
});
