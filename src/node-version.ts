/**
 * The oldest Node.js devstack runs on: the newest `engines.node` floor among its
 * dependencies (@kubernetes-models needs 22, eslint 22.13). package.json says the
 * same; a unit test keeps the two equal. No imports: bin/devstack.js checks it
 * before loading anything else.
 */
export const MINIMUM_NODE = "22.13.0";

/** True when `version` (e.g. "20.18.1" or "v20.18.1") is older than `minimum`. */
export function olderThan(version: string, minimum: string = MINIMUM_NODE): boolean {
  const parts = (v: string): number[] => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

export const NODE_FIX = "install Node.js 22 LTS or newer (https://nodejs.org, or `nvm install 22`)";

export function nodeTooOld(version: string): string {
  return `devstack needs Node.js ${MINIMUM_NODE} or newer; this is Node.js ${version.replace(/^v/, "")}.\nFix: ${NODE_FIX}.\n`;
}
