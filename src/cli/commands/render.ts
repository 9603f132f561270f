import { goYaml } from "../../config/go-yaml.js";
import { relative } from "node:path";
import { KUBE_VERSION } from "../../project/names.js";
import { imageString } from "../../charts/image.js";
import { maskSecretData } from "../../charts/manifests.js";
import { parseImageOption, renderImage, renderProfile, type ChartRender } from "../../charts/render.js";
import { writeRender } from "../../charts/write-render.js";
import { loadConfig } from "../../config/resolve.js";
import { protectLocalStores } from "../protect.js";
import { DevstackError } from "../../errors.js";
import { colors, err, out, printResult } from "../output.js";

function ms(n: number): string {
  return `${Math.round(n)} ms`;
}

function summary(render: ChartRender) {
  return {
    release: render.release,
    namespace: render.namespace,
    resources: render.resources.map((r) => ({
      kind: r.object.kind,
      name: r.object.metadata.name,
      namespace: r.object.metadata.namespace ?? null,
      source: r.source,
    })),
    skipped: render.skipped ?? null,
    withoutCrd: render.withoutCrd,
    ms: { values: Math.round(render.ms.values), helm: Math.round(render.ms.helm), validate: Math.round(render.ms.validate) },
  };
}

export async function run(options: { profile?: string; out?: string; json?: boolean; image?: string }): Promise<number> {
  const started = performance.now();
  const config = loadConfig({ profile: options.profile ?? "local" });
  await protectLocalStores([config]);
  const image = await renderImage(config, options.image ? parseImageOption(options.image) : undefined);
  const renders = await renderProfile(config, image);
  const problems = renders.flatMap((r) => r.problems.map((p) => ({ release: r.release, ...p })));
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.release}: ${p.resource}${p.path ? ` ${p.path}` : ""}: ${p.message}`).join("\n");
    throw new DevstackError(`${problems.length} rendered manifest problem(s) against the Kubernetes ${KUBE_VERSION} schemas:\n${lines}`, {
      fix: "the chart or its values produce objects Kubernetes would reject; nothing was written",
    });
  }
  const files = options.out ? writeRender(options.out, renders) : [];
  const total = performance.now() - started;
  if (options.json) {
    printResult("render", {
      profile: config.profileName,
      kubeVersion: KUBE_VERSION,
      image: imageString(image),
      releases: renders.map(summary),
      files: files.map((f) => f.file),
      ms: Math.round(total),
    });
    return 0;
  }
  // Without --out the manifests are the output; the summary goes to stderr so a pipe gets clean YAML.
  const say = options.out ? out : err;
  say(`rendered ${config.app.name} for profile ${colors.bold(config.profileName)} (Kubernetes ${KUBE_VERSION}), image ${imageString(image)}`);
  for (const r of renders) {
    say(`  ${r.release.padEnd(18)} ${String(r.resources.length).padStart(3)} resources, valid · values ${ms(r.ms.values)} · helm ${ms(r.ms.helm)} · validate ${ms(r.ms.validate)}`);
    if (r.skipped) say(colors.yellow(`  ${"".padEnd(18)} skipped ${r.skipped.dependencies.join(", ")}: ${r.skipped.reason}`));
    if (r.withoutCrd.length > 0) say(colors.yellow(`  ${"".padEnd(18)} checked without their CRD (values only, not unknown fields): ${r.withoutCrd.join(", ")}`));
  }
  if (options.out) {
    say(`wrote ${files.length} files to ${relative(process.cwd(), options.out) || "."} in ${ms(total)}`);
  } else {
    for (const r of renders) for (const resource of r.resources) out(`---\n# Source: ${resource.source}\n${goYaml(maskSecretData(resource.object))}`);
    say(`done in ${ms(total)}`);
  }
  return 0;
}
