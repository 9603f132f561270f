import { suggestion } from "./suggest.js";

/** What a `${...}` may refer to at one place in the config. */
export interface TemplateScope {
  values: ReadonlyMap<string, string>;
  /** Names that exist but may not be used here, with the reason. */
  unavailable?: ReadonlyMap<string, string>;
}

export interface TemplateError {
  /** Index of the `${` in the string value. */
  index: number;
  /** The whole `${...}` text, to find it again in the raw YAML source. */
  token: string;
  message: string;
}

const reference = /\$(\$?)\{([^}]*)(\}?)/g;

/**
 * Expands `${ref}` in one string. `$${` is a literal `${`. Secret values are
 * never in a scope, so no template can reveal one.
 */
export function expandTemplate(text: string, scope: TemplateScope): { value: string; errors: TemplateError[] } {
  const errors: TemplateError[] = [];
  const value = text.replace(reference, (token: string, escaped: string, body: string, close: string, index: number) => {
    if (escaped) return token.slice(1);
    const name = body.trim();
    if (!close) {
      errors.push({ index, token, message: `unterminated template "${token}": close it with "}"` });
      return token;
    }
    const found = scope.values.get(name);
    if (found !== undefined) return found;
    errors.push({ index, token, message: unknownMessage(name, scope) });
    return token;
  });
  return { value, errors };
}

function unknownMessage(name: string, scope: TemplateScope): string {
  const reason = scope.unavailable?.get(name);
  if (reason) return `\${${name}} cannot be used here: ${reason}`;
  if (name.startsWith("secrets.") || name === "secrets") {
    return `\${${name}}: secret values are never available to templates; a declared secret reaches the app as its own environment variable`;
  }
  if (name === "") return "empty template \"${}\"";
  const known = [...scope.values.keys(), ...(scope.unavailable?.keys() ?? [])];
  return `unknown template reference \${${name}}${suggestion(name, known)}; known: ${known.map((k) => `\${${k}}`).join(", ")}`;
}
