/** SQL text devstack builds for Postgres and DuckDB alike; both quote the standard way. */

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A quoted string literal; how values enter statements that take no parameters (COPY, DuckDB's read_csv). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
