import type Docker from "dockerode";
import { DevstackError } from "../errors.js";
import { probePort } from "./ports.js";
import type { StackPlan } from "./plan.js";

// What a plan will need that this machine cannot give, found before anything
// starts and all at once: images that are neither here nor pullable, host
// ports already taken. Otherwise an offline machine meets them one `up` at a time.

export type PreflightProblem =
  | { kind: "image"; component: string; image: string; why: string }
  | { kind: "port"; component: string; port: number; purpose: string; key?: string };

/** How long the registry may take to say whether an image can be pulled. */
const PULLABLE_TIMEOUT_MS = 10_000;

async function pullable(docker: Docker, image: string): Promise<string | undefined> {
  try {
    await docker.getImage(image).inspect();
    return undefined;
  } catch {
    // Not here: ask the registry, through the engine, without pulling.
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.getImage(image).distribution(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DevstackError(`no answer from its registry within ${PULLABLE_TIMEOUT_MS / 1000} s`, { kind: "failed", fix: "check the network, or set images.mirror" })), PULLABLE_TIMEOUT_MS);
      }),
    ]);
    return undefined;
  } catch (error) {
    return (error as Error).message.split("\n")[0] ?? "cannot be pulled";
  } finally {
    clearTimeout(timer);
  }
}

/** Every image and host port the plan's containers to create or start need and cannot have. */
export async function preflight(docker: Docker, plan: StackPlan): Promise<PreflightProblem[]> {
  const todo = plan.containers.filter((a) => a.action !== "reuse");
  const images = [...new Map(todo.filter((a) => a.action !== "start").map((a) => [a.spec.image, a.spec.component])).entries()];
  const imageProblems = await Promise.all(
    images.map(async ([image, component]): Promise<PreflightProblem | undefined> => {
      const why = await pullable(docker, image);
      return why === undefined ? undefined : { kind: "image", component, image, why };
    }),
  );
  const portProblems: PreflightProblem[] = [];
  // A container recreated frees its own ports first; only new or stopped ones must find theirs free now.
  for (const a of todo.filter((t) => t.action !== "recreate")) {
    for (const p of a.spec.ports) {
      if ((await probePort(p.host)) === "in-use") portProblems.push({ kind: "port", component: a.spec.component, port: p.host, purpose: p.purpose, ...(p.key ? { key: p.key } : {}) });
    }
  }
  return [...imageProblems.filter((p): p is PreflightProblem => p !== undefined), ...portProblems];
}

/** One line per problem. */
function describeProblem(p: PreflightProblem): string {
  return p.kind === "image" ? `image ${p.image} (${p.component}) is not here and cannot be pulled: ${p.why}` : `port ${p.port} on 127.0.0.1 (${p.component}, ${p.purpose}) is already in use`;
}

/** All the problems in one error, with one fix block covering them. */
export function preflightError(problems: PreflightProblem[], profile: string): DevstackError {
  const images = problems.filter((p) => p.kind === "image");
  const ports = problems.filter((p) => p.kind === "port");
  const fix: string[] = [];
  if (images.length > 0) {
    fix.push(`point the images at reachable copies in profiles/${profile}.yaml (or set images.mirror to a registry that mirrors docker.io and ghcr.io):`, "  images:", "    overrides:");
    for (const p of images) fix.push(`      ${p.component}: registry.example.com/mirror/${p.image.split("/").pop()}`);
    fix.push("or load them into the engine (`docker load`, `docker build`) under those names");
  }
  if (ports.length > 0) {
    const keyed = ports.filter((p) => p.key);
    fix.push(`stop what listens on ${ports.map((p) => p.port).join(", ")} (\`sudo lsof -iTCP -sTCP:LISTEN -P\` shows it)${keyed.length > 0 ? `, or move ${keyed.map((p) => p.key).join(", ")} in profiles/${profile}.yaml to free ports` : ""}`);
  }
  return new DevstackError(`${problems.length} thing${problems.length === 1 ? "" : "s"} the local stack needs cannot be had:\n${problems.map((p) => `  - ${describeProblem(p)}`).join("\n")}`, {
    kind: ports.length > 0 && images.length === 0 ? "port-in-use" : "failed",
    fix: fix.join("\n"),
  });
}
