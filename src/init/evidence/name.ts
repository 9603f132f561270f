import type { Found } from "../facts.js";
import type { Manifest } from "./packages.js";
import { dnsLabel, found } from "./util.js";

/** The product's name from the root manifest; a nested package names a component, not the product. */
export function nameFacts(all: Manifest[]): Found[] {
  const out: Found[] = [];
  for (const m of all) {
    if (m.dir !== "." || !m.name) continue;
    const raw = m.language === "go" ? m.name.replace(/\/v\d+$/, "").split("/").pop() ?? "" : m.name;
    if (raw) out.push(found({ kind: "name", value: dnsLabel(raw) }, m.file));
  }
  return out;
}

/** The directory's name: a last resort, so a guess. */
export function dirNameFacts(dirName: string): Found[] {
  return dirName ? [found({ kind: "name", value: dnsLabel(dirName) }, `${dirName}/`, false)] : [];
}
