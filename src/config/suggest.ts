import { distance } from "fastest-levenshtein";

/** The closest candidate to a misspelled word, if one is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  // Numbers are not typos of each other: "12" is not a misspelled "14".
  if (/^[0-9.]+$/.test(word)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && best !== word && bestDistance <= tolerance ? best : undefined;
}

export function suggestion(word: string, candidates: Iterable<string>): string {
  const match = didYouMean(word, candidates);
  return match === undefined ? "" : ` (did you mean "${match}"?)`;
}
