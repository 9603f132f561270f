import { isMap, isScalar, isSeq, parseDocument, Scalar } from "yaml";
import { diffValues, type Difference } from "../config/diff.js";
import { maskSecretData, resourceId, type RenderedResource } from "./manifests.js";

export interface FieldDifference {
  resource: string;
  path: string;
  a: unknown;
  b: unknown;
  /** For an expected difference: the values (profile-declared) that explain it. */
  because?: string;
}

export interface ParityReport {
  onlyInA: string[];
  onlyInB: string[];
  expected: FieldDifference[];
  unexpected: FieldDifference[];
}

export interface RenderSide {
  resources: RenderedResource[];
  /** The chart values each side was rendered with; differences here are what the profiles declare. */
  values: unknown;
}

interface Declared {
  path: string;
  a: unknown;
  b: unknown;
}

const empty = (v: unknown) => v === null || v === "" || v === false || (Array.isArray(v) && v.length === 0);

/** A field set on one side only because a value is set on that side only (e.g. an e-mail, a role ARN). */
function presence(d: { a: unknown; b: unknown }, v: Declared): boolean {
  return (d.a === null && empty(v.a) && String(d.b) === String(v.b)) || (d.b === null && empty(v.b) && String(d.a) === String(v.a));
}

/** A field present on one side only, under a key that one side's value chose (e.g. provider `aws` vs `kubernetes`). */
function chosenBranch(path: string, value: unknown, declared: unknown): boolean {
  return value !== null && typeof declared === "string" && path.split(/[.[\]]/).includes(declared);
}

/**
 * The values paths that turn the field's A side into its B side: an exact
 * pair, a value set on one side only, or text in which replacing each
 * differing value's A form by its B form gives exactly the B side.
 */
function explanation(d: { path: string; a: unknown; b: unknown }, declared: Declared[]): string | undefined {
  const exact = declared.find((v) => d.a !== null && d.b !== null && String(d.a) === String(v.a) && String(d.b) === String(v.b));
  if (exact) return exact.path;
  const present = declared.find((v) => presence(d, v));
  if (present) return present.path;
  if (typeof d.a === "string" && typeof d.b === "string") {
    let text = d.a;
    const used: string[] = [];
    const texts = declared.filter((v): v is Declared & { a: string; b: string } => typeof v.a === "string" && typeof v.b === "string" && v.a.length >= 3);
    // Longest text first; between equal texts, the shortest (most direct) path names the cause.
    for (const v of texts.sort((x, y) => y.a.length - x.a.length || x.path.length - y.path.length)) {
      if (!text.includes(v.a)) continue;
      text = text.split(v.a).join(v.b);
      used.push(v.path);
      if (text === d.b) return used.join(", ");
    }
  }
  const branch = declared.find((v) => (d.a === null || d.b === null) && (chosenBranch(d.path, d.a, v.a) || chosenBranch(d.path, d.b, v.b)));
  return branch ? `${branch.path} (${String(d.a === null ? branch.b : branch.a)})` : undefined;
}

// Hashes of values (pod-rolling checksums) differ whenever any hashed value does.
const derived = (path: string) => /(^|\.)checksum\//.test(path);

/**
 * A config file held as text (Alertmanager's, Loki's): its structure, so each
 * of its fields can be explained. A plain scalar keeps its text as written:
 * `0644` and `644`, or `1.10` and `1.1`, are different to the Go program
 * that reads the file, so they stay different here.
 */
function embedded(value: unknown): object | undefined {
  if (typeof value !== "string" || !value.includes("\n")) return undefined;
  const doc = parseDocument(value, { version: "1.1" });
  if (doc.errors.length > 0) return undefined;
  const toText = (node: unknown): unknown => {
    if (isMap(node)) return Object.fromEntries(node.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), toText(pair.value)]));
    if (isSeq(node)) return node.items.map(toText);
    if (isScalar(node)) return node.type === Scalar.PLAIN && node.range ? value.slice(node.range[0], node.range[1]) : node.value;
    return node === null || node === undefined ? null : String(node);
  };
  const parsed = toText(doc.contents);
  return typeof parsed === "object" && parsed !== null ? parsed : undefined;
}

/** A field, or each field of a config file held in it, compared and explained on its own. */
function differencesIn(objectA: unknown, objectB: unknown): Difference[] {
  return diffValues(objectA, objectB).flatMap((d) => {
    const [a, b] = [embedded(d.a), embedded(d.b)];
    const inner = a && b ? diffValues(a, b) : [];
    // Texts that differ only in what no field holds (comments, layout) are still reported whole.
    return inner.length > 0 ? inner.map((x) => ({ ...x, path: `${d.path} > ${x.path}` })) : [d];
  });
}


/**
 * Compares two renders of the same charts. Every resource must exist on both
 * sides; a field that differs is expected when the chart values that differ
 * between the profiles explain both of its values, and unexpected otherwise.
 */
export function compareRenders(a: RenderSide, b: RenderSide): ParityReport {
  const byId = (side: RenderSide) => new Map(side.resources.map((r) => [resourceId(r.object), maskSecretData(r.object)]));
  const left = byId(a);
  const right = byId(b);
  const declared: Declared[] = diffValues(a.values, b.values);
  const report: ParityReport = {
    onlyInA: [...left.keys()].filter((id) => !right.has(id)).sort(),
    onlyInB: [...right.keys()].filter((id) => !left.has(id)).sort(),
    expected: [],
    unexpected: [],
  };
  for (const [id, objectA] of [...left].sort(([x], [y]) => x.localeCompare(y))) {
    const objectB = right.get(id);
    if (!objectB) continue;
    const diffs = differencesIn(objectA, objectB);
    const explained = diffs.map((d) => (derived(d.path) ? "hash of differing values" : explanation(d, declared)));
    // A list element present on one side only, because a values list is longer there, is explained as a whole
    // by whatever explains one of its fields (e.g. an ExternalSecret entry per extra secret name).
    const byElement = new Map<string, string>();
    diffs.forEach((d, i) => {
      const element = /^(.*\[\d+\])\./.exec(d.path)?.[1];
      const because = explained[i];
      if (element && because && (d.a === null || d.b === null)) byElement.set(element, because);
    });
    diffs.forEach((d, i) => {
      const difference = { resource: id, path: d.path, a: d.a, b: d.b };
      const element = /^(.*\[\d+\])\./.exec(d.path)?.[1];
      const because = explained[i] ?? (element && (d.a === null || d.b === null) ? byElement.get(element) : undefined);
      if (because) report.expected.push({ ...difference, because });
      else report.unexpected.push(difference);
    });
  }
  return report;
}

export function parityOk(report: ParityReport): boolean {
  return report.onlyInA.length === 0 && report.onlyInB.length === 0 && report.unexpected.length === 0;
}
