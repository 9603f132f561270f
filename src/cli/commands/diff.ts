import { diffValues } from "../../config/diff.js";
import { loadConfig } from "../../config/resolve.js";
import { configView } from "../../config/view.js";
import { colors, out, printJson, table } from "../output.js";

// Where each profile's file lives is not a difference in what it deploys.
const bookkeeping = (path: string) => path === "profile.file" || path === "profile.source";

function show(value: unknown): string {
  if (value === null) return colors.dim("(absent)");
  return typeof value === "string" ? value : JSON.stringify(value);
}

export async function run(options: { json?: boolean }, [a, b]: string[]): Promise<number> {
  const left = configView(loadConfig({ profile: a as string }));
  const right = configView(loadConfig({ profile: b as string }));
  const differences = diffValues(left, right, bookkeeping);
  if (options.json) {
    printJson({ a, b, count: differences.length, differences });
    return 0;
  }
  if (differences.length === 0) {
    out(`profiles ${a} and ${b} resolve to the same config`);
    return 0;
  }
  out(`${differences.length} resolved values differ between ${colors.bold(a as string)} and ${colors.bold(b as string)}:\n`);
  out(table([[colors.dim("key"), colors.dim(a as string), colors.dim(b as string)], ...differences.map((d) => [d.path, show(d.a), show(d.b)])]));
  return 0;
}
