import type * as z from "zod";
import type { KeyPath } from "./yaml-source.js";

// zod 4 keeps each schema's definition on `_zod.def`; walking it lets errors
// list the keys a map allows without keeping a second copy of the schema.
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
  keyType?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const d = def(current);
    if ((d.type === "optional" || d.type === "default" || d.type === "nullable" || d.type === "prefault") && d.innerType) {
      current = d.innerType;
    } else if (d.type === "pipe" && d.in) {
      current = d.in;
    } else {
      return current;
    }
  }
}

function pickUnionBranch(schema: z.ZodType, data: unknown): z.ZodType | undefined {
  const d = def(schema);
  if (d.type !== "union" || !d.options) return undefined;
  if (d.discriminator && data && typeof data === "object") {
    const tag = (data as Record<string, unknown>)[d.discriminator];
    return d.options.find((option) => {
      const literal = def(unwrap(option)).shape?.[d.discriminator as string];
      return literal !== undefined && (def(literal).values ?? []).includes(tag);
    });
  }
  return d.options[0];
}

/** The schema that governs the value at `path` in `data`, if it can be found. */
function schemaAt(root: z.ZodType, path: KeyPath, data: unknown): z.ZodType | undefined {
  let schema: z.ZodType | undefined = unwrap(root);
  let value = data;
  for (const segment of path) {
    if (!schema) return undefined;
    let d = def(schema);
    if (d.type === "union") {
      schema = pickUnionBranch(schema, value);
      if (!schema) return undefined;
      schema = unwrap(schema);
      d = def(schema);
    }
    if (d.type === "object" && d.shape) schema = d.shape[String(segment)];
    else if (d.type === "record" && d.valueType) schema = d.valueType;
    else if (d.type === "array" && d.element) schema = d.element;
    else return undefined;
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[String(segment)] : undefined;
    schema = schema ? unwrap(schema) : undefined;
  }
  if (schema && def(schema).type === "union") {
    const branch = pickUnionBranch(schema, value);
    return branch ? unwrap(branch) : schema;
  }
  return schema;
}

/** The keys an object schema at `path` allows. */
export function allowedKeys(root: z.ZodType, path: KeyPath, data: unknown): string[] {
  const schema = schemaAt(root, path, data);
  if (!schema) return [];
  const d = def(schema);
  if (d.shape) return Object.keys(d.shape);
  // A record keyed by an enum (image overrides) allows exactly the enum's values.
  const keys = d.keyType ? def(unwrap(d.keyType)).entries : undefined;
  return keys ? Object.keys(keys) : [];
}
