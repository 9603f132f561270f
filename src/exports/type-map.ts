import { literal, quoteIdent } from "./sql.js";

/** A column as the Postgres catalog describes it (domains resolved to their base type). */
export interface PgColumn {
  name: string;
  /** The base type's name in pg_type, e.g. int4, numeric, _text for text[]. */
  type: string;
  /** For arrays, the element type's name; otherwise undefined. */
  element?: string;
  /** pg_type.typtype of the base type: b(ase), e(num), c(omposite), r(ange), m(ultirange), d(omain, resolved away). */
  kind: string;
  /** numeric(p,s) precision and scale when declared. */
  precision?: number;
  scale?: number;
  /** Declared array dimensions (int[][] is 2); data may still have more. */
  dims?: number;
}

/**
 * How one column travels: Postgres renders `source` in its COPY text, DuckDB reads
 * it as `csvType` and turns it into `target` with `convert`. The parser reads
 * plain types directly (fast); only types whose Postgres text DuckDB cannot
 * parse take a detour through an expression.
 */
export interface ColumnRoute {
  name: string;
  pgType: string;
  /** SQL over the Postgres column, run server-side. */
  source: string;
  csvType: string;
  /** DuckDB SQL over the column as read (unescaped when it is text). */
  convert: string;
  /** The DuckDB (and so Parquet) type. */
  target: string;
  /** How DuckDB reads the same text when the direct read fails: for values it refuses (a BC timestamp), at some cost for all. */
  careful?: { csvType: string; convert: string };
}

const MAX_DECIMAL_WIDTH = 38;
export const INTERVAL_STRUCT = "STRUCT(months INTEGER, days INTEGER, microseconds BIGINT)";

/** Postgres scalar types DuckDB parses from their text form without help. */
const DIRECT: Record<string, string> = {
  bool: "BOOLEAN",
  int2: "SMALLINT",
  int4: "INTEGER",
  int8: "BIGINT",
  oid: "UBIGINT",
  float4: "FLOAT",
  float8: "DOUBLE",
  text: "VARCHAR",
  varchar: "VARCHAR",
  bpchar: "VARCHAR",
  name: "VARCHAR",
  citext: "VARCHAR",
  uuid: "UUID",
  date: "DATE",
  time: "TIME",
  timetz: "TIMETZ",
  timestamp: "TIMESTAMP",
  timestamptz: "TIMESTAMPTZ",
  // json (unlike jsonb) keeps its exact text, which may hold what JSON parsers refuse (a lone \ud800): text it stays.
  jsonb: "JSON",
};

function decimal(col: Pick<PgColumn, "precision" | "scale">): string | undefined {
  // Unconstrained numeric has no fixed scale; a DECIMAL would round it, text keeps every digit.
  // Postgres 15 allows a negative scale or one above the precision; DuckDB's DECIMAL does not.
  if (col.precision === undefined || col.precision > MAX_DECIMAL_WIDTH) return undefined;
  if (col.scale !== undefined && (col.scale < 0 || col.scale > col.precision)) return undefined;
  return `DECIMAL(${col.precision},${col.scale ?? 0})`;
}

function scalarTarget(type: string, col: Pick<PgColumn, "precision" | "scale" | "kind">): string {
  if (type === "numeric") return decimal(col) ?? "VARCHAR";
  if (type === "bytea") return "BLOB";
  return DIRECT[type] ?? "VARCHAR";
}

const TEMPORAL = new Set(["date", "timestamp", "timestamptz"]);

/** Postgres prints "0044-03-15 BC", which DuckDB would read as AD; DuckDB's ISO form of that is year -0043. */
function temporalText(expr: string, type: string): string {
  const time = type === "date" ? "" : ` || to_char(${expr}, ' HH24:MI:SS.US')${type === "timestamptz" ? " || '+00'" : ""}`;
  const bc = `'-' || lpad((-extract(year from ${expr})::int - 1)::text, 4, '0') || to_char(${expr}, '-MM-DD')${time}`;
  return `CASE WHEN ${expr} < '0001-01-01' AND isfinite(${expr}) THEN ${bc} ELSE ${expr}::text END`;
}

/**
 * A timestamp as Postgres prints it, BC ones too ("0044-03-15 10:00:00+00 BC",
 * which DuckDB refuses), as DuckDB's own BC form ("0044-03-15 (BC) 10:00:00+00").
 */
function bcTimestamp(id: string, target: string): string {
  return `CASE WHEN suffix(${id}, ' BC') THEN CAST(regexp_replace(${id}, '^(\\d+-\\d\\d-\\d\\d)(.*) BC$', '\\1 (BC)\\2') AS ${target}) ELSE CAST(${id} AS ${target}) END`;
}

/**
 * Array elements whose Postgres text DuckDB casts as it does the scalar's, and
 * which Postgres separates with a comma (box, for one, uses a semicolon).
 */
const PLAIN_ELEMENTS = new Set(["bool", "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "text", "varchar", "name", "citext", "uuid"]);

/**
 * What a chunk holding an array of more dimensions than its column declares
 * stops with. Postgres does not hold a column to its declared dimensions, and
 * a view's columns declare none; a typed list cannot hold more.
 */
const DEEPER = "an array has more dimensions than its column declares: declare them in the table (int[][], say), which exports the column as JSON, or export a view that selects to_json(column)";

/** `convert`, unless the JSON Postgres sent is an array of arrays. */
function oneDimension(id: string, convert: string): string {
  return `CASE WHEN starts_with(${id}, '[[') THEN error(${literal(DEEPER)}) ELSE ${convert} END`;
}

/**
 * A one-dimensional array as Postgres prints it ({a,"b c",NULL}): to_json
 * cost Postgres 0.35 s of CPU per 1M short arrays, more than DuckDB's parse of
 * this. An array Postgres prints with more dimensions or with bounds
 * ([0:1]={a,b}), which the column's type does not rule out, goes as JSON.
 */
function arrayText(id: string): string {
  return `CASE WHEN array_ndims(${id}) > 1 OR array_lower(${id}, 1) <> 1 THEN to_json(${id}::text[])::text ELSE ${id}::text END`;
}

/**
 * DuckDB's typed list from what arrayText sent. Postgres
 * quotes an element holding a quote, backslash, brace, comma or white space,
 * one that is empty, and one spelled NULL; inside the quotes, a backslash
 * escapes the next character. Without a quote in the array, splitting at the
 * commas is enough.
 */
function arrayList(id: string, target: string): string {
  const unquoted = `list_transform(string_split(${id}[2:-2], ','), e -> CASE WHEN e = 'NULL' THEN NULL ELSE e END)`;
  const quoted = `list_transform(regexp_extract_all(${id}[2:-2], '"(?:[^"\\\\]|\\\\.)*"|[^,]+'), e -> CASE WHEN e = 'NULL' THEN NULL WHEN e[1] = '"' THEN regexp_replace(e[2:-2], '\\\\(.)', '\\1', 'gs') ELSE e END)`;
  const list = `CASE WHEN starts_with(${id}, '[') THEN CAST(CAST(${id} AS JSON) AS ${target}) ELSE CAST(CASE WHEN ${id} = '{}' THEN []::VARCHAR[] WHEN contains(${id}, '"') THEN ${quoted} ELSE ${unquoted} END AS ${target}) END`;
  return oneDimension(id, list);
}

/** The route read the careful way, when it has one. */
export function carefully(route: ColumnRoute): ColumnRoute {
  return route.careful ? { ...route, ...route.careful } : route;
}

/** The route of one column; pure, so every type's treatment is unit-tested. */
export function routeColumn(col: PgColumn): ColumnRoute {
  const id = quoteIdent(col.name);
  const base = { name: col.name, pgType: col.element ? `${col.element}[]` : col.type };
  if (col.element !== undefined && (col.dims ?? 1) > 1) {
    // Nested lists of unknown depth: JSON keeps every level.
    return { ...base, source: `to_json(${id})`, csvType: "VARCHAR", convert: `CAST(${id} AS JSON)`, target: "JSON" };
  }
  if (col.element !== undefined) {
    const elem = scalarTarget(col.element, { kind: "b" });
    // Elements go as JSON strings of their Postgres text, so DuckDB parses each exactly as it would the scalar.
    if (col.element === "bytea") {
      return { ...base, source: `to_json(${id}::text[])`, csvType: "VARCHAR", convert: oneDimension(id, `list_transform(CAST(CAST(${id} AS JSON) AS VARCHAR[]), x -> unhex(substr(x, 3)))`), target: "BLOB[]" };
    }
    if (col.element === "interval" || col.element === "json" || col.element === "jsonb") {
      return { ...base, source: `to_json(${id})`, csvType: "VARCHAR", convert: `CAST(${id} AS JSON)`, target: "JSON" };
    }
    const target = col.element === "numeric" ? "VARCHAR[]" : `${elem}[]`;
    if (TEMPORAL.has(col.element)) {
      // Element by element, so a BC date inside an array stays BC too.
      const each = `(SELECT coalesce(json_agg(${temporalText("e", col.element)} ORDER BY o), '[]'::json) FROM unnest(${id}) WITH ORDINALITY AS u(e, o))`;
      const source = `CASE WHEN array_ndims(${id}) > 1 THEN to_json(${id}::text[]) WHEN ${id} IS NOT NULL THEN ${each} END`;
      return { ...base, source, csvType: "VARCHAR", convert: oneDimension(id, `CAST(CAST(${id} AS JSON) AS ${target})`), target };
    }
    if (PLAIN_ELEMENTS.has(col.element)) return { ...base, source: arrayText(id), csvType: "VARCHAR", convert: arrayList(id, target), target };
    return { ...base, source: `to_json(${id}::text[])`, csvType: "VARCHAR", convert: oneDimension(id, `CAST(CAST(${id} AS JSON) AS ${target})`), target };
  }
  if (col.type === "bytea") {
    return { ...base, source: `encode(${id}, 'hex')`, csvType: "VARCHAR", convert: `unhex(${id})`, target: "BLOB" };
  }
  if (col.type === "interval") {
    // Parquet's INTERVAL is unsigned and has millisecond precision; Postgres's three signed fields travel as they are stored.
    const months = `(extract(year from ${id}) * 12 + extract(month from ${id}))::bigint`;
    const micros = `(extract(hour from ${id}) * 3600000000 + extract(minute from ${id}) * 60000000 + extract(microseconds from ${id}))::bigint`;
    return {
      ...base,
      source: `CASE WHEN ${id} IS NOT NULL THEN json_build_object('months', ${months}, 'days', extract(day from ${id})::bigint, 'microseconds', ${micros}) END`,
      csvType: "VARCHAR",
      convert: `CAST(CAST(${id} AS JSON) AS ${INTERVAL_STRUCT})`,
      target: INTERVAL_STRUCT,
    };
  }
  const target = scalarTarget(col.type, col);
  if (col.type === "date") return { ...base, source: temporalText(id, col.type), csvType: target, convert: id, target };
  if (TEMPORAL.has(col.type)) {
    // As Postgres prints them: DuckDB refuses a BC timestamp (unlike a BC date, which it would read as AD), failing the chunk, which is then read the careful way.
    // The CASE that rewrites BC on the server cost Postgres 0.2 s of CPU per 2M values.
    return { ...base, source: id, csvType: target, convert: id, target, careful: { csvType: "VARCHAR", convert: bcTimestamp(id, target) } };
  }
  if (target === "JSON") return { ...base, source: id, csvType: "VARCHAR", convert: `CAST(${id} AS JSON)`, target };
  return { ...base, source: id, csvType: target, convert: id, target };
}
