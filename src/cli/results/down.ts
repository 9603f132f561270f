import { z } from "zod";
import { result, steps } from "./lines.js";

/** `devstack down --json`: what was stopped or removed; `confirmed: false` (exit 1) when --purge was declined. */
export const schema = result("down", {
  profile: z.string(),
  purge: z.boolean(),
  confirmed: z.boolean(),
  stopped: z.array(z.string()),
  removed: z.array(z.string()),
  volumes: z.array(z.string()),
  /** With --purge: the app's builds removed from the engine. */
  images: z.array(z.string()).optional(),
  steps,
});
