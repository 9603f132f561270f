import { z } from "zod";
import { result } from "./lines.js";

/** `devstack init --json`: the files written and what was detected in the app directory. */
export const schema = result("init", {
  written: z.array(z.string()).min(1),
  detected: z.strictObject({ name: z.string(), port: z.number().int(), dockerfile: z.string().nullable(), target: z.string().nullable() }),
  notes: z.array(z.string()),
});
