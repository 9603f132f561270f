import type { ClientBase } from "pg";
import { DevstackError } from "../errors.js";
import type { PgColumn } from "./type-map.js";

export interface TableInfo {
  /** r (table), p (partitioned), v (view), m (materialized view), f (foreign). */
  kind: string;
  columns: (PgColumn & { notNull: boolean })[];
  primaryKey: string[];
  pages: number;
}

// Domains resolve to their base type; numeric's typmod carries (precision, scale) as ((p << 16) | s) + 4,
// the scale as 11 signed bits since Postgres 15.
const COLUMNS_SQL = `
SELECT a.attname AS name, a.attnotnull AS "notNull",
       coalesce(nullif(bt.typname, ''), t.typname) AS type,
       coalesce(bt.typtype, t.typtype) AS kind,
       et.typname AS element,
       CASE WHEN coalesce(bt.typname, t.typname) = 'numeric' AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4
            THEN ((coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4) >> 16) & 65535 END AS precision,
       CASE WHEN coalesce(bt.typname, t.typname) = 'numeric' AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4
            THEN (coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4) & 2047 END AS scale,
       a.attndims AS dims
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_type et ON et.oid = coalesce(bt.typelem, t.typelem) AND coalesce(bt.typcategory, t.typcategory) = 'A'
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const PRIMARY_KEY_SQL = `
SELECT a.attname AS name
FROM pg_index i
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::regclass AND i.indisprimary
ORDER BY k.ord`;

/** What the catalog says about the exported relation; the table name may be schema-qualified. */
export async function describeTable(client: ClientBase, table: string): Promise<TableInfo> {
  const rel = await client.query<{ kind: string; pages: string }>(
    "SELECT c.relkind AS kind, (pg_relation_size(c.oid) / current_setting('block_size')::int)::text AS pages FROM pg_class c WHERE c.oid = to_regclass($1)",
    [table],
  );
  const row = rel.rows[0];
  if (!row) throw new DevstackError(`table ${table} does not exist (or this role cannot see it)`, { fix: "check exports.<name>.table in devstack.yaml, and that the export's role may read it", exitCode: 2 });
  const columns = await client.query<{ name: string; notNull: boolean; type: string; kind: string; element: string | null; precision: number | null; scale: number | null; dims: number }>(COLUMNS_SQL, [table]);
  const keys = await client.query<{ name: string }>(PRIMARY_KEY_SQL, [table]);
  return {
    kind: row.kind,
    pages: Number(row.pages),
    primaryKey: keys.rows.map((r) => r.name),
    columns: columns.rows.map((c) => ({
      name: c.name,
      notNull: c.notNull,
      type: c.type,
      kind: c.kind,
      ...(c.element ? { element: c.element } : {}),
      ...(c.precision === null ? {} : { precision: c.precision }),
      ...(c.scale === null ? {} : { scale: (c.scale ^ 1024) - 1024 }),
      ...(c.dims > 1 ? { dims: c.dims } : {}),
    })),
  };
}
