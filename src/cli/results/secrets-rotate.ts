import { z } from "zod";
import { result } from "./lines.js";

/** `devstack secrets rotate NAME --json`: which secret has a new value; never the value. */
export const schema = result("secrets rotate", { profile: z.string(), rotated: z.string(), store: z.string() });
