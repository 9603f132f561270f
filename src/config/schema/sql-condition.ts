// An export's `where:` is the user's own SQL, but it runs with the export's
// role inside `WHERE (...)`: it must be one condition, not a way out of those
// parentheses. The scan follows Postgres's lexical rules for what can hide a
// parenthesis or a semicolon (quoted strings, E'' escapes, quoted
// identifiers, dollar quoting); Postgres itself checks the rest when it runs.

export function sqlConditionProblem(sql: string): string | undefined {
  let depth = 0;
  let i = 0;
  const at = (n: number) => `at character ${[...sql.slice(0, n)].length + 1}`;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'" || ((c === "E" || c === "e") && next === "'")) {
      const escapes = c !== "'";
      let j = escapes ? i + 2 : i + 1;
      for (;;) {
        if (j >= sql.length) return `a string opened ${at(i)} is never closed`;
        if (escapes && sql[j] === "\\") j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) return `a quoted name opened ${at(i)} is never closed`;
      i = end + 1;
      continue;
    }
    if (c === "$") {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        if (end < 0) return `a dollar-quoted string opened ${at(i)} is never closed`;
        i = end + tag.length;
        continue;
      }
    }
    if ((c === "-" && next === "-") || (c === "/" && next === "*")) return `a comment ${at(i)}: write the condition without comments`;
    if (c === ";") return `";" ${at(i)}: one condition, not statements`;
    if (c === "(") depth++;
    if (c === ")" && --depth < 0) return `")" ${at(i)} closes a parenthesis the condition never opened`;
    if (c === "\0") return `a NUL character ${at(i)}`;
    i++;
  }
  if (depth > 0) return `${depth} parenthes${depth > 1 ? "es are" : "is is"} never closed`;
  if (sql.trim() === "") return "an empty condition";
  return undefined;
}
