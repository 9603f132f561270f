import { z } from "zod";
import { result } from "./lines.js";

/** `devstack schema --json`: the JSON Schema of devstack.yaml or of a profile, or the files --out wrote. */
export const schema = z.union([
  result("schema", { which: z.enum(["app", "profile"]), schema: z.looseObject({ $schema: z.string(), title: z.string() }) }),
  result("schema", { files: z.array(z.string()).length(2) }),
]);
