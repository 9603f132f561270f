import { z } from "zod";
import { result } from "./lines.js";

/** `devstack secrets set NAME --json`: which secret was stored where; never its value. */
export const schema = result("secrets set", { profile: z.string(), set: z.string(), store: z.string() });
