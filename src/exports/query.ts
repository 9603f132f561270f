import { literal, quoteIdent } from "./sql.js";

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * SQL over exported Parquet files: each export is a view named after it,
 * with its hive partition (exported_at) as a column. DuckDB reads only the
 * row groups and columns a query needs.
 */
export async function queryExports(views: Record<string, string[]>, sql: string): Promise<QueryResult> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    for (const [name, files] of Object.entries(views)) {
      if (files.length === 0) continue;
      const list = files.map(literal).join(", ");
      await connection.run(`CREATE VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet([${list}], hive_partitioning = true, union_by_name = true)`);
    }
    const reader = await connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
