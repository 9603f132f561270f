import { compareRenders, parityOk, type FieldDifference, type ParityReport } from "../../charts/parity.js";
import { renderImage, renderProfile, type ChartRender } from "../../charts/render.js";
import { diffValues } from "../../config/diff.js";
import { loadConfig, type ResolvedConfig } from "../../config/resolve.js";
import { configView } from "../../config/view.js";
import { protectLocalStores } from "../protect.js";
import { DevstackError } from "../../errors.js";
import { describeOsError } from "../../fs/os-errors.js";
import { colors, err, out, printResult, table } from "../output.js";

// Where each profile's file lives is not a difference in what it deploys.
const bookkeeping = (path: string) => path === "profile.file" || path === "profile.source";

// k3s bundles Traefik, so only remote profiles render it from the platform chart.
const bundledByK3s = (source: string) => source.startsWith("platform/charts/traefik/");

function show(value: unknown): string {
  if (value === null) return colors.dim("(absent)");
  // One line per difference: a multi-line value (a config file) shows its line breaks as \n.
  const text = (typeof value === "string" ? value : JSON.stringify(value)).replace(/\r?\n/g, "\\n");
  return text.length > 48 ? `${text.slice(0, 45)}...` : text;
}

async function renders(config: ResolvedConfig): Promise<ChartRender[]> {
  // Both sides are rendered from the same sources, so the image tag is the same; only the registry differs.
  return renderProfile(config, await renderImage(config));
}

function side(render: ChartRender) {
  return { resources: render.resources.filter((r) => !bundledByK3s(r.source)), values: render.values };
}

/** Release by release: a field is only explained by the values of the release it belongs to. */
function compareProfiles(left: ChartRender[], right: ChartRender[]): ParityReport {
  const reports = left.map((l, i) => compareRenders(side(l), side(right[i] as ChartRender)));
  return {
    onlyInA: reports.flatMap((r) => r.onlyInA),
    onlyInB: reports.flatMap((r) => r.onlyInB),
    expected: reports.flatMap((r) => r.expected),
    unexpected: reports.flatMap((r) => r.unexpected),
  };
}

async function compareManifests(a: ResolvedConfig, b: ResolvedConfig): Promise<{ report?: ParityReport; error?: string; skipped: string[] }> {
  try {
    const [left, right] = await Promise.all([renders(a), renders(b)]);
    // A profile whose manifests Kubernetes would refuse is not comparable: `render` says what is wrong.
    const problems = [...left, ...right].flatMap((r) => r.problems.map((p) => `${r.release}: ${p.resource}${p.path ? ` ${p.path}` : ""}: ${p.message}`));
    if (problems.length > 0) return { error: `rendered manifests Kubernetes would refuse:\n  ${[...new Set(problems)].join("\n  ")}`, skipped: [] };
    const skipped = [...new Set([...left, ...right].flatMap((r) => r.skipped?.dependencies ?? []))];
    return { report: compareProfiles(left, right), skipped };
  } catch (error) {
    const message = error instanceof DevstackError ? error.message : (describeOsError(error)?.message ?? (error instanceof Error ? error.message : String(error)));
    return { error: message, skipped: [] };
  }
}

function fieldRows(list: FieldDifference[], withReason: boolean): string[][] {
  return list.map((d) => [d.resource, d.path, show(d.a), show(d.b), ...(withReason ? [colors.dim(d.because ?? "")] : [])]);
}

export async function run(options: { json?: boolean; strict?: boolean }, [a, b]: string[]): Promise<number> {
  const left = loadConfig({ profile: a as string });
  const right = loadConfig({ profile: b as string });
  await protectLocalStores([left, right]);
  const differences = diffValues(configView(left), configView(right), bookkeeping);
  const manifests = await compareManifests(left, right);
  const ok = manifests.report ? parityOk(manifests.report) : false;
  // Manifests that could not be rendered were not compared: the command did not do its job, strict or not.
  const code = !manifests.report || (options.strict && !ok) ? 1 : 0;

  if (options.json) {
    printResult("diff", {
      a,
      b,
      count: differences.length,
      differences,
      manifests: manifests.report
        ? { compared: true, parity: ok, skippedDependencies: manifests.skipped, ...manifests.report }
        : { compared: false, parity: false, error: manifests.error },
    });
    return code;
  }

  out(`${differences.length} resolved values differ between ${colors.bold(a as string)} and ${colors.bold(b as string)}:\n`);
  out(table([[colors.dim("key"), colors.dim(a as string), colors.dim(b as string)], ...differences.map((d) => [d.path, show(d.a), show(d.b)])]));
  out("");
  const report = manifests.report;
  if (!report) {
    err(`${colors.red("manifests not compared")}: ${manifests.error}`);
    err(`${colors.cyan("fix:")} \`devstack render --profile ${a as string}\` and \`--profile ${b as string}\` show which render fails and why`);
    return code;
  }
  for (const [only, name] of [[report.onlyInA, a], [report.onlyInB, b]] as const) {
    if (only.length > 0) out(colors.red(`resources only in ${name}:\n${only.map((id) => `  ${id}`).join("\n")}`));
  }
  out(`manifests: ${report.expected.length} expected difference(s), from what the profiles declare:`);
  if (report.expected.length > 0) out(table([[colors.dim("resource"), colors.dim("field"), colors.dim(a as string), colors.dim(b as string), colors.dim("because")], ...fieldRows(report.expected, true)], "  "));
  if (report.unexpected.length > 0) {
    out(colors.red(`\n${report.unexpected.length} unexpected difference(s), not explained by any profile setting:`));
    out(table([[colors.dim("resource"), colors.dim("field"), colors.dim(a as string), colors.dim(b as string)], ...fieldRows(report.unexpected, false)], "  "));
  }
  if (manifests.skipped.length > 0) out(colors.yellow(`\nnot compared (chart dependencies unavailable here): ${manifests.skipped.join(", ")}`));
  out(ok ? colors.green("\nparity: same resources in both profiles, every difference explained") : colors.red("\nparity broken: see above"));
  return code;
}
