import type { RepoView } from "./facts.js";

// Hints `init` takes from a repository beside the collectors' facts.

/** A name Kubernetes accepts, made of anything: a package name, a directory. */
export function toDnsLabel(raw: string): string {
  const base = raw.replace(/^@[^/]+\//, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^[^a-z]+/, "").replace(/-+/g, "-");
  return base.slice(0, 40).replace(/-+$/, "") || "app";
}

const identifier = (s: string | undefined) => (s && /^[a-z_][a-z0-9_]*$/i.test(s) ? s.toLowerCase() : undefined);

/**
 * The database's name where a repository keeps it: the example env file
 * (a URL's path, DB_NAME…), Rails' production database, compose's POSTGRES_DB.
 */
export function databaseNameHint(view: RepoView, values: Record<string, string>): string | undefined {
  const rails = view.read("config/database.yml");
  const production = rails ? /^production:\s*\n(?:[ \t]+.*\n)*?[ \t]+database:\s*["']?([\w]+)/m.exec(rails) : null;
  if (production?.[1] && !production[1].includes("<%")) return identifier(production[1]);
  for (const key of ["DB_NAME", "DATABASE_NAME", "POSTGRES_DB", "PGDATABASE", "DB_DATABASE"]) {
    const name = identifier(values[key]);
    if (name) return name;
  }
  for (const key of ["DATABASE_URL", "DB_URL", "POSTGRES_URL"]) {
    const url = /^postgres(?:ql)?(?:\+\w+)?:\/\/[^/]*\/([^?#]+)/.exec(values[key] ?? "");
    const name = identifier(url?.[1]);
    if (name) return name;
  }
  for (const path of ["docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"]) {
    const db = /POSTGRES_DB\s*[:=]\s*["']?([\w]+)/.exec(view.read(path) ?? "");
    if (db) return identifier(db[1]);
  }
  return undefined;
}
