import { isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
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

export function parseYaml(file: string, text: string): { source: YamlSource; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const issues: ConfigIssue[] = doc.errors.map((error) => {
    const pos = lines.linePos(error.pos[0]);
    return { file, line: pos.line, column: pos.col, path: "", message: yamlMessage(error.code, error.message) };
  });
  const data = issues.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { source: { file, text, doc, lines, data: data ?? undefined }, issues };
}

function yamlMessage(code: string, message: string): string {
  const firstLine = message.split("\n")[0] ?? message;
  const cleaned = firstLine.replace(/ at line \d+, column \d+:?$/, "");
  return code === "DUPLICATE_KEY" ? "duplicate key: each key may appear once" : `YAML syntax: ${cleaned}`;
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
  const pos = source.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}
