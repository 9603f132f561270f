import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Rooms with one-way doors (DESIGN.md, "Layout of this repository"): a folder
// of src/ never imports a folder that imports it, directly or around a longer
// loop. src/errors.ts and src/package-root.ts are the bottom floor (they
// import no folder); src/index.ts is the top (nothing imports it).

const SRC = import.meta.dirname;
const BOTTOM = "(src/errors.ts, src/package-root.ts)";
const TOP = "src/index.ts";

/**
 * Doors still open both ways while issue 14 moves `up` and `deploy`
 * orchestration into src/flows/: each entry is one edge [from, to] tolerated
 * until then. Empty it as they close; a stale entry fails the test.
 */
const PENDING: [from: string, to: string][] = [
  // deploy ↔ stack and charts ↔ deploy have closed; the list stays for the next door left open on purpose.
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The room a file of src/ is in: its top-level folder, or the bottom floor or top for files directly in src/. */
function room(file: string): string {
  const parts = relative(SRC, file).split(sep);
  if (parts.length > 1) return parts[0] as string;
  return parts[0] === "index.ts" ? TOP : BOTTOM;
}

/** Folder → folder → the imports (file → file) that make that edge. Static, re-export and dynamic imports. */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(SRC)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue;
      const target = resolve(dirname(file), fileName).replace(/\.js$/, ".ts");
      if (relative(SRC, target).startsWith("..")) continue;
      const from = room(file);
      const to = room(target);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${relative(SRC, file)} → ${relative(SRC, target)}`]);
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder: every set of folders that import each other around a loop. */
function loops(graph: Map<string, Map<string, string[]>>): string[][] {
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])])].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return found;
}

function describeEdges(graph: Map<string, Map<string, string[]>>, members: string[]): string {
  const lines: string[] = [];
  for (const from of members) {
    for (const [to, imports] of graph.get(from) ?? []) {
      if (members.includes(to)) lines.push(`  ${from} → ${to}:`, ...imports.map((i) => `    ${i}`));
    }
  }
  return lines.join("\n");
}

const graph = folderGraph();
const withoutPending = new Map([...graph].map(([from, edges]) => [from, new Map([...edges].filter(([to]) => !PENDING.some(([f, t]) => f === from && t === to)))]));

describe("the folders of src/", () => {
  it("are read from the real source", () => {
    expect(graph.get("cli")?.size ?? 0).toBeGreaterThan(3);
    expect(graph.get(TOP)?.size ?? 0).toBeGreaterThan(0);
  });

  it("never import each other, directly or around a loop", () => {
    const problems = loops(withoutPending).map((members) => `${members.join(" ↔ ")}\n${describeEdges(withoutPending, members)}`);
    expect(problems, `folders that import each other:\n${problems.join("\n")}`).toEqual([]);
  });

  it("keep the bottom floor free of folders, and nothing imports src/index.ts", () => {
    expect([...(graph.get(BOTTOM)?.keys() ?? [])], describeEdges(graph, [BOTTOM, ...(graph.get(BOTTOM)?.keys() ?? [])])).toEqual([]);
    const intoTop = [...graph].filter(([, edges]) => edges.has(TOP)).map(([from]) => from);
    expect(intoTop).toEqual([]);
  });

  it("tolerate only pending edges that still exist (issue 14)", () => {
    const stale = PENDING.filter(([from, to]) => !graph.get(from)?.has(to)).map(([from, to]) => `${from} → ${to}`);
    expect(stale, "these doors are closed now: remove them from PENDING").toEqual([]);
  });
});
