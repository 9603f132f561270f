import { z } from "zod";
import { result } from "./lines.js";

/** `devstack config --json`: the resolved config view (src/config/view.ts); secrets by name and kind, never values. */
export const schema = result("config", {
  profile: z.looseObject({ name: z.string(), source: z.enum(["project", "builtin"]), file: z.string() }),
  host: z.string(),
  url: z.string(),
  app: z.looseObject({ name: z.string() }),
  secrets: z.array(
    z.strictObject({
      name: z.string(),
      kind: z.enum(["generate", "external", "derived"]),
      description: z.string().optional(),
      recipe: z.unknown().optional(),
      from: z.string().optional(),
    }),
  ),
});
