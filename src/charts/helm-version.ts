/** helm ≥ 3.14 is needed (chart features and `--take-ownership`); 4.x is supported. */
export const MIN_HELM = [3, 14, 0] as const;

export function parseHelmVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isSupportedHelm(version: readonly number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const have = version[i] ?? 0;
    const need = MIN_HELM[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}
