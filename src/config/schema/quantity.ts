import { InternalError } from "../../errors.js";

// Kubernetes resource quantities as numbers, to compare a limit with its request.

const MEMORY: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Bytes in a memory quantity such as 128Mi, 1Gi or 500M. */
export function memoryBytes(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new InternalError(`not a memory quantity: ${quantity}`);
  return Number(match[1]) * (MEMORY[match[2] ?? ""] as number);
}

/** Millicores in a CPU quantity such as 100m or 0.5. */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}
