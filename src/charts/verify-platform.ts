import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { ResolvedConfig } from "../config/resolve.js";
import { ACCESS_LOG_FIELDS, TRAEFIK_SERVICE_NAME } from "../dashboards/dashboards.js";
import { CHART_PACKAGES_ENV, packageFile, prepareChart } from "./dependencies.js";
import { helm, helmLint, helmTemplate } from "./helm.js";
import { parseManifests, type Manifest } from "./manifests.js";
import { KUBE_VERSION, PLATFORM_NAMESPACE, PLATFORM_RELEASE } from "../project/names.js";
import { mebibytes, PLATFORM_BUDGET } from "./platform-budget.js";
import { mirrored, PLATFORM_IMAGES } from "./platform-images.js";
import { mergeValues, operatorsPass, platformValues } from "./platform-values.js";
import { PLATFORM_CHART } from "./render.js";
import { K3S_TRAEFIK_CHART, k3sTraefikValues } from "./traefik-values.js";
import { budgetOf } from "./platform-budget.js";
import { crdSchemas } from "./crd-schema.js";
import { validateUncached } from "./validate.js";
import { DevstackError } from "../errors.js";

// The maintainers' check of the platform chart against its seven real
// subcharts at their pinned versions (packages in a directory, as `helm
// pull` writes them): every built-in profile, both install passes, helm
// lint --strict, strict validation of every object (custom resources
// against the CRDs those charts ship), resources on every container, every
// image moved by a mirror, and every value key devstack sets known to the
// chart it is for. Nothing here runs at a user's render.

interface PlatformFinding {
  check: string;
  where: string;
  message: string;
}

export interface PlatformVerification {
  verify: "platform";
  charts: string[];
  renders: number;
  objects: number;
  crds: number;
  lintErrors: number;
  lintWarnings: number;
  invalidObjects: number;
  containers: number;
  containersWithoutResources: number;
  imagesNotMirrored: number;
  unknownValueKeys: number;
  budgetMismatches: number;
  traefikChecks: number;
  k3sTraefik: "checked" | "absent";
  localPlatformMemoryRequestsMi: number;
  findings: PlatformFinding[];
}

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** Every pod spec an object runs, with where it sits. */
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: PodSpec;
}

function podSpecs(m: Manifest): { spec: PodSpec; labels: Record<string, string> }[] {
  const spec = m.spec as (PodSpec & { template?: PodTemplate; jobTemplate?: { spec?: { template?: PodTemplate } } }) | undefined;
  if (!spec) return [];
  if (m.kind === "Pod") return [{ spec, labels: m.metadata.labels ?? {} }];
  const template = spec.template ?? spec.jobTemplate?.spec?.template;
  return template?.spec?.containers ? [{ spec: template.spec, labels: template.metadata?.labels ?? {} }] : [];
}

const containersOf = (m: Manifest) => podSpecs(m).flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers]);

function transientJob(m: Manifest): boolean {
  return m.kind === "Job" || m.kind === "Pod";
}

/**
 * Where devstack hands a program its own configuration through a chart
 * value (Loki's ruler, Alertmanager's config, Grafana's provisioning): the
 * keys below are that program's, not the chart's.
 */
const PASSTHROUGH = new Set(["loki.loki.rulerConfig", "alertmanager.config", "grafana.datasources", "grafana.dashboardProviders"]);

/**
 * The subchart values devstack sets that the chart does not know: not in its
 * values.yaml (below a default that has keys, every key must be one of them),
 * nor read by name in its templates (for keys values.yaml leaves out).
 */
export function unknownKeys(set: unknown, defaults: unknown, templates: string, path: string[] = [], passthrough: ReadonlySet<string> = new Set()): string[] {
  if (typeof set !== "object" || set === null || Array.isArray(set)) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(set)) {
    const here = [...path, key];
    if (passthrough.has(here.join("."))) continue;
    const def = typeof defaults === "object" && defaults !== null ? (defaults as Record<string, unknown>)[key] : undefined;
    if (def === undefined || def === null) {
      const named = new RegExp(`\\.Values\\.${here.map((k) => k.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")).join("\\.")}(?![\\w])`).test(templates);
      if (!named && def === undefined) found.push(here.join("."));
      continue;
    }
    // A free-form map (empty by default) takes any keys; so does a container's resources (requests, limits), whatever the default holds.
    const freeForm = (typeof def === "object" && !Array.isArray(def) && Object.keys(def).length === 0) || key === "resources";
    if (!freeForm) found.push(...unknownKeys(value, def, templates, here, passthrough));
  }
  return found;
}

function chartTexts(chartDir: string): { values: unknown; templates: string } {
  const values = parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) as unknown;
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "charts") walk(path);
      } else if (/\.(yaml|yml|tpl|txt)$/.test(entry.name)) texts.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(chartDir, "templates"));
  return { values, templates: texts.join("\n") };
}

async function unpack(tgz: string, into: string): Promise<string> {
  const result = await helm(["pull", tgz, "--untar", "--untardir", into]).catch(() => undefined);
  if (!result || result.exitCode !== 0) {
    const { execFileSync } = await import("node:child_process");
    execFileSync("tar", ["-xzf", tgz, "-C", into]);
  }
  const dirs = readdirSync(into, { withFileTypes: true }).filter((e) => e.isDirectory());
  return join(into, dirs[0]?.name ?? "");
}

export interface VerifyOptions {
  /** The packages directory (DEVSTACK_PLATFORM_CHARTS). */
  dir: string;
  /** One app per kind of project: the values depend on the app (alerts, dashboards). */
  configs: ResolvedConfig[];
  progress?: (line: string) => void;
}

export async function verifyPlatform(options: VerifyOptions): Promise<PlatformVerification> {
  const say = options.progress ?? (() => undefined);
  const saved = process.env[CHART_PACKAGES_ENV];
  process.env[CHART_PACKAGES_ENV] = options.dir;
  const work = mkdtempSync(join(tmpdir(), "devstack-verify-"));
  const findings: PlatformFinding[] = [];
  const add = (check: string, where: string, message: string) => findings.push({ check, where, message });
  const result: PlatformVerification = {
    verify: "platform",
    charts: [],
    renders: 0,
    objects: 0,
    crds: 0,
    lintErrors: 0,
    lintWarnings: 0,
    invalidObjects: 0,
    containers: 0,
    containersWithoutResources: 0,
    imagesNotMirrored: 0,
    unknownValueKeys: 0,
    budgetMismatches: 0,
    traefikChecks: 0,
    k3sTraefik: "absent",
    localPlatformMemoryRequestsMi: 0,
    findings,
  };
  try {
    const prepared = await prepareChart(PLATFORM_CHART);
    if (prepared.skipped.length > 0) throw new DevstackError(`the platform's subcharts are not all in ${options.dir}: ${prepared.reason ?? prepared.skipped.join(", ")}`, { kind: "not-found", fix: `put the subchart packages in ${options.dir} (\`helm dependency build charts/platform\` fetches them)` });
    const chartYaml = parse(readFileSync(join(PLATFORM_CHART, "Chart.yaml"), "utf8")) as { dependencies: { name: string; version: string }[] };
    result.charts = chartYaml.dependencies.map((d) => `${d.name}-${d.version}`);
    const subcharts = new Map<string, { values: unknown; templates: string }>();
    for (const d of chartYaml.dependencies) {
      const dir = join(work, d.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      subcharts.set(d.name, chartTexts(await unpack(join(options.dir, packageFile(d)), dir)));
    }

    const renderOnce = async (label: string, values: Record<string, unknown>): Promise<Manifest[]> => {
      say(`render ${label}`);
      const lint = await helmLint(prepared.dir, values, KUBE_VERSION);
      for (const line of lint.output.split("\n")) {
        if (/\[ERROR\]/.test(line)) {
          result.lintErrors++;
          add("lint", label, line.trim());
        } else if (/\[WARNING\]/.test(line)) {
          result.lintWarnings++;
          add("lint", label, line.trim());
        }
      }
      if (!lint.ok && result.lintErrors === 0) {
        result.lintErrors++;
        add("lint", label, lint.output.split("\n").slice(-5).join(" "));
      }
      const text = await helmTemplate({ release: PLATFORM_RELEASE, chart: prepared.dir, namespace: PLATFORM_NAMESPACE, values, kubeVersion: KUBE_VERSION });
      const objects = parseManifests(text).map((r) => r.object);
      result.renders++;
      result.objects += objects.length;
      const crds = crdSchemas(objects);
      result.crds = Math.max(result.crds, Object.keys(crds).length);
      const { problems } = await validateUncached(objects, { crds });
      result.invalidObjects += new Set(problems.map((p) => p.resource)).size;
      for (const p of problems) add("schema", `${label} ${p.resource}`, `${p.path}: ${p.message}`);
      return objects;
    };

    for (const config of options.configs) {
      const values = platformValues(config);
      const where = `${config.app.name}/${config.profileName}`;
      // Every value key devstack sets, against the chart it is for.
      for (const [name, chart] of subcharts) {
        const chartValues = parse(readFileSync(join(PLATFORM_CHART, "values.yaml"), "utf8")) as Record<string, unknown>;
        const { enabled: _enabled, ...set } = mergeValues((chartValues[name] ?? {}) as Record<string, unknown>, (values[name] ?? {}) as Record<string, unknown>);
        for (const key of unknownKeys(set, chart.values, chart.templates, [], new Set([...PASSTHROUGH].filter((p) => p.startsWith(`${name}.`)).map((p) => p.slice(name.length + 1))))) {
          result.unknownValueKeys++;
          add("values", `${where} ${name}`, `${key}: not a value of ${name} (not in its values.yaml, nor read by its templates)`);
        }
      }
      await renderOnce(`${where} operators pass`, operatorsPass(values));
      const objects = await renderOnce(`${where} full`, values);
      // Requests and a memory limit on every container.
      let memory = 0;
      for (const m of objects) {
        for (const c of containersOf(m)) {
          result.containers++;
          const req = c.resources?.requests ?? {};
          const lim = c.resources?.limits ?? {};
          if (!req.cpu || !req.memory || !lim.memory) {
            result.containersWithoutResources++;
            add("resources", `${where} ${m.kind}/${m.metadata.name} ${c.name}`, "needs requests (cpu, memory) and a memory limit");
          } else if (!transientJob(m)) memory += mebibytes(req.memory);
        }
      }
      // The budget table is what `up --dry-run` adds up: it must be what the charts really render.
      const expected = PLATFORM_BUDGET.filter((b) => !b.transient && (config.profile.cluster.type === "k3s" ? b.chart !== "traefik" : true)).reduce((n, b) => n + mebibytes(b.resources.requests.memory), 0);
      if (Math.round(memory) !== Math.round(expected)) {
        result.budgetMismatches++;
        add("budget", where, `rendered memory requests ${Math.round(memory)}Mi, budget table ${Math.round(expected)}Mi`);
      }
      if (config.profile.cluster.type === "k3s") result.localPlatformMemoryRequestsMi = Math.max(result.localPlatformMemoryRequestsMi, Math.round(memory));
      // Traefik (EKS): its pods carry the label the traffic dashboard selects by.
      const traefikBefore = result.traefikChecks;
      for (const m of objects.filter((o) => o.kind === "Deployment" && podSpecs(o).some((p) => p.labels["app.kubernetes.io/name"] === TRAEFIK_SERVICE_NAME))) {
        result.traefikChecks++;
        const args = containersOf(m).flatMap((c) => (c as Container & { args?: string[] }).args ?? []);
        for (const flag of ["--log.format=json", "--accesslog=true", "--accesslog.format=json"]) {
          if (!args.includes(flag)) add("traefik", `${where} ${m.metadata.name}`, `missing ${flag}: the dashboards read ${ACCESS_LOG_FIELDS.join(", ")} from JSON access logs`);
        }
      }
      if (config.profile.cluster.type !== "k3s" && result.traefikChecks === traefikBefore) add("traefik", where, `no Traefik Deployment labelled app.kubernetes.io/name=${TRAEFIK_SERVICE_NAME}`);

      // A mirror moves every image the platform runs.
      const mirror = "mirror.verify.invalid/m";
      const mirroredConfig = { ...config, profile: { ...config.profile, images: { ...config.profile.images, mirror } } } as ResolvedConfig;
      const moved = await renderOnce(`${where} with images.mirror`, platformValues(mirroredConfig));
      for (const m of moved) {
        for (const c of containersOf(m)) {
          if (!c.image.startsWith(`${mirror}/`)) {
            result.imagesNotMirrored++;
            add("images", `${where} ${m.kind}/${m.metadata.name} ${c.name}`, `${c.image} is not moved by images.mirror`);
          }
        }
      }
      // The acmesolver image is not in any pod spec: cert-manager passes it to its controller as a flag.
      const controllerArgs = moved.flatMap((m) => containersOf(m).flatMap((c) => (c as Container & { args?: string[] }).args ?? []));
      const solver = PLATFORM_IMAGES.find((i) => i.name === "cert-manager-acmesolver");
      if (solver && !controllerArgs.some((a) => a.startsWith("--acme-http01-solver-image=") && a.includes(mirrored(solver.upstream, mirror)))) {
        result.imagesNotMirrored++;
        add("images", where, "cert-manager's ACME HTTP-01 solver image is not moved by images.mirror");
      }
    }

    // k3s's bundled Traefik, with the HelmChartConfig values `up` applies.
    const bundled = join(options.dir, `traefik-${K3S_TRAEFIK_CHART.upstream}.tgz`);
    if (existsSync(bundled)) {
      result.k3sTraefik = "checked";
      const dir = join(work, "k3s-traefik");
      mkdirSync(dir, { recursive: true });
      const chart = await unpack(bundled, dir);
      const values = k3sTraefikValues(budgetOf("traefik", "traefik"));
      for (const key of unknownKeys(values, chartTexts(chart).values, chartTexts(chart).templates)) {
        result.unknownValueKeys++;
        add("values", "k3s traefik", `${key}: not a value of traefik ${K3S_TRAEFIK_CHART.upstream}`);
      }
      try {
        const objects = parseManifests(await helmTemplate({ release: "traefik", chart, namespace: "kube-system", values, kubeVersion: KUBE_VERSION })).map((r) => r.object);
        result.renders++;
        result.objects += objects.length;
        const { problems } = await validateUncached(objects, { crds: crdSchemas(objects) });
        result.invalidObjects += new Set(problems.map((p) => p.resource)).size;
        for (const p of problems) add("schema", `k3s traefik ${p.resource}`, `${p.path}: ${p.message}`);
        const deployment = objects.find((o) => o.kind === "Deployment");
        const args = deployment ? containersOf(deployment).flatMap((c) => (c as Container & { args?: string[] }).args ?? []) : [];
        result.traefikChecks++;
        if (!deployment || !podSpecs(deployment).some((p) => p.labels["app.kubernetes.io/name"] === TRAEFIK_SERVICE_NAME)) add("traefik", "k3s traefik", `pods not labelled app.kubernetes.io/name=${TRAEFIK_SERVICE_NAME}`);
        for (const flag of ["--log.format=json", "--accesslog=true", "--accesslog.format=json"]) if (!args.includes(flag)) add("traefik", "k3s traefik", `missing ${flag}`);
        // An images.overrides.traefik reaches the bundled Traefik too.
        const override = "mirror.verify.invalid/m/library/traefik:v9.9.9";
        const overridden = parseManifests(await helmTemplate({ release: "traefik", chart, namespace: "kube-system", values: k3sTraefikValues(budgetOf("traefik", "traefik"), override), kubeVersion: KUBE_VERSION })).map((r) => r.object);
        const images = overridden.flatMap((o) => containersOf(o).map((c) => c.image));
        if (!images.includes(override)) {
          result.imagesNotMirrored++;
          add("images", "k3s traefik", `images.overrides.traefik does not reach it: ${images.join(", ")}`);
        }
      } catch (error) {
        result.invalidObjects++;
        add("values", "k3s traefik", (error as Error).message.split("\n").slice(0, 4).join(" "));
      }
    }
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, CHART_PACKAGES_ENV);
    else process.env[CHART_PACKAGES_ENV] = saved;
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}
