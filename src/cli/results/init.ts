import { z } from "zod";
import { result } from "./lines.js";

/** `devstack init --json`: the files written, what the repository showed (each fact with its source) and what was guessed. */
export const schema = result("init", {
  written: z.array(z.string()).min(1),
  facts: z.array(z.strictObject({ kind: z.string(), value: z.unknown(), source: z.string(), confirmed: z.boolean() })),
  guesses: z.array(z.strictObject({ path: z.string(), value: z.unknown(), why: z.string() })),
});
