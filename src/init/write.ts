import { Document, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import type { Guess } from "./infer.js";

// devstack.yaml as text: the inferred app with `# guess: <why>` after each
// line that rests on a convention, so a reader knows which lines to check.

/** The pair a dotted path ends at, when the document has it. */
function pairAt(doc: Document, path: string[]): Pair | undefined {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    node = pair?.value;
  }
  return pair;
}

function mark(pair: Pair, why: string): void {
  const value = pair.value as Node | null;
  const target = isScalar(value) || ((isMap(value) || isSeq(value)) && value.flow) ? value : (pair.key as Node);
  target.comment = ` guess: ${why}`;
}

/** Commands, probes and recipes read best on one line: collections of a few scalars. */
function flatten(node: unknown): void {
  if (!isMap(node) && !isSeq(node)) return;
  const items = isMap(node) ? node.items.map((p) => p.value) : node.items;
  if (items.length > 0 && items.every((v) => isScalar(v)) && JSON.stringify(node.toJSON()).length <= 60 && (isSeq(node) || items.length <= 3)) node.flow = true;
  else for (const item of items) flatten(item);
}

export function appYaml(app: Record<string, unknown>, guesses: Guess[], header: string): string {
  const doc = new Document(app, { aliasDuplicateObjects: false });
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      flatten(pair.value);
      // A blank line between top-level sections, as people write them.
      if (pair.key !== doc.contents.items[0]?.key) (pair.key as Node).spaceBefore = true;
    }
  }
  for (const g of guesses) {
    const pair = pairAt(doc, g.path.split("."));
    if (pair) mark(pair, g.why.replace(/\s+/g, " "));
  }
  return `${header}${doc.toString({ lineWidth: 0, flowCollectionPadding: false })}`;
}
