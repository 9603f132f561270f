import { isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, visit, type Document, type Node } from "yaml";
import type { ConfigIssue } from "../errors.js";

/** A parsed YAML file that can answer "where is this key path?". */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Plain data, or undefined for an empty document. */
  data: unknown;
}

export type KeyPath = readonly (string | number)[];

export interface Located {
  line: number;
  column: number;
  /** True when the whole path exists; false when only an ancestor was found. */
  exact: boolean;
}

/** The largest config file devstack reads: far above any real one, and small enough to resolve at once. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_ALIASES = 100;

/** Where a byte offset of UTF-8 text sits, as editors count: line, and column in characters. */
function bytePosition(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (const b of before) if (b === 0x0a) line++;
  return { line, column: [...new TextDecoder().decode(bytes.subarray(lineStart, offset))].length + 1 };
}

/**
 * A config file's bytes as text: UTF-8 only (a byte that is not is reported
 * at its position, never silently replaced), and at most MAX_CONFIG_BYTES.
 */
export function decodeConfig(file: string, bytes: Buffer): { text: string; issues: ConfigIssue[] } {
  if (bytes.length > MAX_CONFIG_BYTES) {
    return { text: "", issues: [{ file, line: 1, column: 1, path: "", message: `the file is ${(bytes.length / 1048576).toFixed(1)} MiB; a config file may be at most 1 MiB` }] };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes), issues: [] };
  } catch {
    // The first offset where the bytes stop being valid UTF-8.
    let good = 0;
    for (let end = 1; end <= bytes.length; end++) {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(good, end));
        good = end;
      } catch {
        if (end - good >= 4) break;
      }
    }
    const pos = bytePosition(bytes, good);
    const bad = bytes[good] ?? 0;
    return { text: "", issues: [{ file, ...pos, path: "", message: `byte 0x${bad.toString(16).padStart(2, "0")} at byte ${good + 1} is not UTF-8: save the file as UTF-8` }] };
  }
}

export function parseYaml(file: string, text: string): { source: YamlSource; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const empty = (doc: Document.Parsed): { source: YamlSource; issues: ConfigIssue[] } => ({ source: { file, text, doc, lines, data: undefined }, issues });
  const issues: ConfigIssue[] = [];
  if (text.length > MAX_CONFIG_BYTES) issues.push({ file, line: 1, column: 1, path: "", message: "the file is over 1 MiB; a config file may be at most 1 MiB" });
  // Duplicate keys are found below in linear time: the parser's own check is quadratic in a map's size.
  const parsed = parseAllDocuments(issues.length > 0 ? "" : text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, strict: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const doc = docs[0] ?? parseDocument("", { lineCounter: new LineCounter() });
  const at = (offset: number) => positionIn(text, lines, offset);
  if (issues.length > 0) return empty(doc);
  const second = docs[1];
  if (second) issues.push({ file, ...at(second.range[0]), path: "", message: "a second YAML document (after ---): a config file holds one; remove it or move it to its own file" });
  for (const error of doc.errors) issues.push({ file, ...at(syntaxOffset(text, error.code, error.message, error.pos[0])), path: "", message: yamlMessage(error.code, error.message) });
  issues.push(...duplicateKeys(file, doc, at));
  if (issues.length > 0) return empty(doc);
  const aliasProblem = aliasIssue(file, doc, at);
  if (aliasProblem) return { source: { file, text, doc, lines, data: undefined }, issues: [aliasProblem] };
  const data = doc.toJS({ maxAliasCount: MAX_ALIASES }) as unknown;
  return { source: { file, text, doc, lines, data: data ?? undefined }, issues };
}

/** An unclosed `[` or `{` is reported where it opens, not where the parser gave up on it. */
function syntaxOffset(text: string, code: string, message: string, offset: number): number {
  if (code !== "BAD_INDENT" || !/^Flow (sequence|map)/.test(message)) return offset;
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote && !(quote === '"' && text[i - 1] === "\\")) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] as string))) i = text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i) - 1;
    else if (c === "[" || c === "{") open.push(i);
    else if (c === "]" || c === "}") open.pop();
  }
  return open.at(-1) ?? offset;
}

function duplicateKeys(file: string, doc: Document.Parsed, at: (offset: number) => { line: number; column: number }): ConfigIssue[] {
  const found: ConfigIssue[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) found.push({ file, ...at(pair.key.range?.[0] ?? 0), path: "", message: "duplicate key: each key may appear once" });
        seen.add(key);
      }
    },
  });
  return found;
}

/** An alias to no anchor, or more alias expansions than any config needs (an "alias bomb"), at the alias. */
function aliasIssue(file: string, doc: Document.Parsed, at: (offset: number) => { line: number; column: number }): ConfigIssue | undefined {
  let issue: ConfigIssue | undefined;
  visit(doc, {
    Alias(_, alias) {
      const offset = alias.range?.[0] ?? 0;
      if (alias.resolve(doc) === undefined) {
        issue = { file, ...at(offset), path: "", message: `alias *${alias.source} refers to no anchor &${alias.source} before it` };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (issue) return issue;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIASES });
    return undefined;
  } catch {
    const first = { offset: 0 };
    visit(doc, {
      Alias(_, alias) {
        first.offset = alias.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    return { file, ...at(first.offset), path: "", message: `aliases expand to too much (more than ${MAX_ALIASES} expansions): write the values out instead` };
  }
}

/** Line, and column in characters (as editors count them, not UTF-16 units), of a text offset. */
function positionIn(text: string, lines: LineCounter, offset: number): { line: number; column: number } {
  const pos = lines.linePos(offset);
  const start = lines.lineStarts[pos.line - 1] ?? 0;
  return { line: pos.line, column: [...text.slice(start, offset)].length + 1 };
}

function yamlMessage(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  const cleaned = firstLine.replace(/ at line \d+, column \d+:?$/, "");
  if (code === "DUPLICATE_KEY") return "duplicate key: each key may appear once";
  if (code === "BAD_INDENT" && /^Flow sequence/.test(cleaned)) return "YAML syntax: this [ is never closed: end the list with ]";
  if (code === "BAD_INDENT" && /^Flow map/.test(cleaned)) return "YAML syntax: this { is never closed: end the map with }";
  return `YAML syntax: ${cleaned}`;
}

interface Walk {
  /** Key and value node of each path segment found, in order. */
  found: { key: Node | undefined; value: Node }[];
  exact: boolean;
}

function walk(source: YamlSource, path: KeyPath): Walk {
  let node: unknown = source.doc.contents;
  const found: Walk["found"] = [];
  for (const segment of path) {
    let key: Node | undefined;
    let value: unknown;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair) {
        key = pair.key as Node;
        value = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof segment === "number") {
      value = node.items[segment];
    }
    if (value === undefined || value === null) return { found, exact: false };
    found.push({ key, value: value as Node });
    node = value;
  }
  return { found, exact: true };
}

/**
 * Finds where a key path sits in the file. `target: "key"` points at the key
 * itself (for unknown or misspelled keys), `"value"` at its value. An absent
 * path is reported at the key that owns the map it is missing from.
 */
export function locate(source: YamlSource, path: KeyPath, target: "key" | "value" = "value"): Located {
  const { found, exact } = walk(source, path);
  const last = found.at(-1);
  let node: Node | undefined;
  if (!last) node = exact ? (source.doc.contents as Node | null) ?? undefined : undefined;
  // A map or list value starts at its first child; its own key is the clearer place.
  else if (exact) node = target === "key" || isCollection(last.value) ? (last.key ?? last.value) : last.value;
  else node = last.key ?? last.value;
  const range = node?.range;
  if (!range) return { line: 1, column: 1, exact: false };
  return { ...positionOf(source, range[0]), exact };
}

/** The raw source text of the scalar at a path, used to place template errors inside strings. */
export function scalarSource(source: YamlSource, path: KeyPath): { text: string; offset: number } | undefined {
  const { found, exact } = walk(source, path);
  const node = found.at(-1)?.value;
  if (!exact || !isScalar(node) || !node.range) return undefined;
  return { text: source.text.slice(node.range[0], node.range[1]), offset: node.range[0] };
}

export function positionOf(source: YamlSource, offset: number): { line: number; column: number } {
  return positionIn(source.text, source.lines, offset);
}
