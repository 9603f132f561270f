import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";

interface SchemaElement {
  name: string;
  type?: string;
  num_children?: number;
  converted_type?: string;
  logical_type?: { type: string; precision?: number; scale?: number; isAdjustedToUTC?: boolean; unit?: string };
  precision?: number;
  scale?: number;
}

function describe(element: SchemaElement): string {
  const logical = element.logical_type;
  if (logical?.type === "DECIMAL") return `DECIMAL(${logical.precision},${logical.scale})`;
  if (logical?.type === "TIMESTAMP") return `TIMESTAMP(${logical.isAdjustedToUTC ? "UTC," : ""}${logical.unit})`;
  if (logical) return logical.type;
  if (element.converted_type) return element.converted_type;
  return element.type ?? "GROUP";
}

/**
 * Each top-level column's Parquet type as an independent reader (hyparquet,
 * not DuckDB, which wrote the file) sees it: logical type where there is one,
 * LIST<element> for lists.
 */
export async function parquetColumnTypes(file: string): Promise<Record<string, string>> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(file));
  const schema = metadata.schema as unknown as SchemaElement[];
  const out: Record<string, string> = {};
  let i = 1;
  const walk = (): string => {
    const element = schema[i++] as SchemaElement;
    if (!element.num_children) return describe(element);
    const children: string[] = [];
    for (let c = 0; c < element.num_children; c++) children.push(walk());
    if (element.converted_type === "LIST" || element.logical_type?.type === "LIST") {
      // LIST → repeated group → element
      return `LIST<${children[0]}>`;
    }
    return children.length === 1 ? (children[0] as string) : `GROUP<${children.join(",")}>`;
  };
  while (i < schema.length) {
    const name = (schema[i] as SchemaElement).name;
    out[name] = walk();
  }
  return out;
}

/** Rows of a Parquet file through DuckDB, the view `parquet` naming the file; values as JSON-safe JS. */
export async function readParquet(file: string | string[], sql = "SELECT * FROM parquet"): Promise<Record<string, unknown>[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  try {
    const files = (Array.isArray(file) ? file : [file]).map((f) => `'${f.replace(/'/g, "''")}'`).join(", ");
    await connection.run(`CREATE VIEW parquet AS SELECT * FROM read_parquet([${files}], hive_partitioning = false)`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
