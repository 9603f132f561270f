import { z } from "zod";
import { result } from "./lines.js";

/** `devstack --version --json`: devstack's version and the Node.js that runs it. */
export const schema = result("version", { version: z.string().regex(/^\d+\.\d+\.\d+/), node: z.string() });
