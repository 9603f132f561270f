import type * as z from "zod";
import type { ConfigIssue } from "../errors.js";
import { allowedKeys } from "./schema-walk.js";
import { suggestion } from "./suggest.js";
import { locate, type KeyPath, type YamlSource } from "./yaml-source.js";

type ZodIssue = z.core.$ZodIssue & { input?: unknown };

/**
 * Values under these paths may be secret material a user pasted by mistake:
 * errors about them say what kind of value was found, never the value.
 */
export type Sensitive = (path: KeyPath) => boolean;

function describeFound(value: unknown, hide: boolean): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value instanceof Uint8Array) return "binary data (a !!binary tag)";
  if (typeof value === "object") return "a map";
  if (hide) return `a ${typeof value} (value not shown)`;
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return `${typeof value} ${String(value)}`;
}

const typeNames: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  record: "a map",
  map: "a map",
};

export function dotted(path: KeyPath): string {
  return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join("");
}

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function isDefaultSizeMessage(message: string): boolean {
  return message.startsWith("Too small") || message.startsWith("Too big");
}

function sizeMessage(issue: ZodIssue & { code: "too_small" | "too_big" }, found: string): string {
  if (!isDefaultSizeMessage(issue.message)) return `expected ${issue.message}, found ${found}`;
  const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  const relation = issue.code === "too_small" ? (inclusive ? "at least" : "more than") : inclusive ? "at most" : "less than";
  const plural = Number(bound) === 1 ? "" : "s";
  const unit = issue.origin === "array" ? ` item${plural}` : issue.origin === "string" ? ` character${plural}` : "";
  return `expected ${relation} ${String(bound)}${unit}, found ${found}`;
}

/** Turns one zod issue into located config issues with a did-you-mean where one helps. */
export function toConfigIssues(
  issue: ZodIssue,
  source: YamlSource,
  schema: z.ZodType,
  data: unknown,
  sensitive: Sensitive,
): ConfigIssue[] {
  const path = issue.path as KeyPath;
  const at = (p: KeyPath, target: "key" | "value", message: string): ConfigIssue => {
    const pos = locate(source, p, target);
    return { file: source.file, line: pos.line, column: pos.column, path: dotted(p), message };
  };
  const found = describeFound(issue.input, sensitive(path));

  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(schema, path, data);
      return issue.keys.map((key) => {
        const hint = suggestion(key, allowed);
        const list = hint || allowed.length === 0 ? "" : `; allowed here: ${allowed.join(", ")}`;
        return at([...path, key], "key", `unknown key "${key}"${hint}${list}`);
      });
    }
    case "invalid_type": {
      const expected = typeNames[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return [at(path, "value", `missing required key (expected ${expected})`)];
      return [at(path, "value", `expected ${expected}, found ${found}`)];
    }
    case "invalid_union": {
      const union = issue as ZodIssue & { discriminator?: string; options?: unknown[] };
      if (union.discriminator !== undefined) {
        const options = (union.options ?? []).map(String);
        const tag = (issue.input as Record<string, unknown> | undefined)?.[union.discriminator];
        if (tag === undefined) return [at(path, "value", `missing required key (expected one of ${quoteAll(options)})`)];
        const hint = typeof tag === "string" ? suggestion(tag, options) : "";
        return [at(path, "value", `expected one of ${quoteAll(options)}, found ${describeFound(tag, false)}${hint}`)];
      }
      // The form the value has taken (the only one that failed inside it, not at its kind) reports its own precise problems.
      const branches = (issue as ZodIssue & { errors?: ZodIssue[][] }).errors ?? [];
      const rootOnly = (errors: ZodIssue[]) => errors.every((e) => e.path.length === 0 && e.code === "invalid_type");
      const inside = branches.filter((errors) => errors.length > 0 && errors.some((e) => e.path.length > 0));
      const taken = inside.length === 1 ? inside : branches.filter((errors) => errors.length > 0 && !rootOnly(errors));
      if (taken.length === 1) return (taken[0] as ZodIssue[]).flatMap((e) => toConfigIssues({ ...e, path: [...path, ...e.path] } as ZodIssue, source, schema, data, sensitive));
      // A plain union says what each of its forms expects, not the library's "Invalid input".
      const forms = branches
        .map((errors) => errors[0])
        .filter((e): e is ZodIssue => e !== undefined)
        .map((e) => (e.code === "invalid_type" ? (typeNames[e.expected] ?? e.expected) : e.message));
      return [at(path, "value", `expected ${forms.length > 0 ? [...new Set(forms)].join(" or ") : "another kind of value"}, found ${found}`)];
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      const hint = typeof issue.input === "string" && !sensitive(path) ? suggestion(issue.input, options) : "";
      const expected = options.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${quoteAll(issue.values)}`;
      return [at(path, "value", `expected ${expected}, found ${found}${hint}`)];
    }
    case "invalid_key": {
      const inner = issue.issues[0]?.message ?? "a valid key";
      return [at(path, "key", `invalid key "${String(path.at(-1))}": expected ${inner}`)];
    }
    case "too_small":
    case "too_big":
      return [at(path, "value", sizeMessage(issue, found))];
    case "custom":
      // Cross-field rules mark themselves plain: their message is the whole story.
      if ((issue.params as { plain?: boolean } | undefined)?.plain) return [at(path, "value", issue.message)];
      return [at(path, "value", `expected ${issue.message}, found ${found}`)];
    default:
      return [at(path, "value", `expected ${issue.message}, found ${found}`)];
  }
}
