import * as z from "zod";
import { appSchema } from "./schema/app.js";
import { profileSchema } from "./schema/profile.js";

export const SCHEMA_FILES = { app: "devstack.schema.json", profile: "profile.schema.json" } as const;

/** JSON Schema of the input a user writes (defaults make keys optional). */
export function jsonSchema(which: "app" | "profile"): Record<string, unknown> {
  const schema = which === "app" ? appSchema : profileSchema;
  const generated = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" });
  return {
    ...generated,
    $id: `https://devstack.dev/schemas/${SCHEMA_FILES[which]}`,
    title: which === "app" ? "devstack.yaml" : "devstack profile (profiles/<name>.yaml)",
  };
}
