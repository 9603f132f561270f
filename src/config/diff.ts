export interface Difference {
  path: string;
  /** Absent on one side is null. */
  a: unknown;
  b: unknown;
}

/** Leaf values by dotted key path; list items are addressed by index. */
export function flatten(value: unknown, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(prefix, []);
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, into));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) into.set(prefix, {});
    for (const [key, item] of entries) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) {
    into.set(prefix, value);
  }
  return into;
}

export function diffValues(a: unknown, b: unknown, ignore: (path: string) => boolean = () => false): Difference[] {
  const left = flatten(a);
  const right = flatten(b);
  const paths = [...new Set([...left.keys(), ...right.keys()])].filter((p) => !ignore(p)).sort();
  const differences: Difference[] = [];
  for (const path of paths) {
    const x = left.has(path) ? left.get(path) : null;
    const y = right.has(path) ? right.get(path) : null;
    if (JSON.stringify(x) !== JSON.stringify(y)) differences.push({ path, a: x, b: y });
  }
  return differences;
}
