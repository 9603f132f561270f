import type { Found, ProcessFact, RepoView } from "../facts.js";
import { basename, commandWords, found, splitLines, toPort } from "./util.js";

/** Procfile process types: `web` serves $PORT, `release` runs before each deploy, the rest are workers. */
export function procfileFacts(repo: RepoView): Found[] {
  const out: Found[] = [];
  for (const path of repo.files.filter((f) => basename(f) === "Procfile")) {
    const text = repo.read(path) ?? "";
    splitLines(text).forEach((line, i) => {
      const m = /^([A-Za-z0-9_-]{1,63})[ \t]*:[ \t]*(\S.*)$/.exec(line.trim());
      if (!m || line.trim().startsWith("#")) return;
      const name = m[1] as string;
      const command = commandWords(m[2] as string);
      const at = `${path}:${i + 1}`;
      if (name === "release") {
        out.push(found({ kind: "migrate", value: { command } }, at));
        return;
      }
      const proc: ProcessFact = { name, role: name === "web" ? "web" : "worker", command };
      const fallback = toPort(/\$\{PORT:-(\d{1,5})\}/.exec(m[2] as string)?.[1]);
      if (fallback && name === "web") proc.port = fallback;
      out.push(found({ kind: "process", value: proc }, at));
    });
  }
  return out;
}
