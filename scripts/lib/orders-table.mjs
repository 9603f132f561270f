/**
 * The realistic table of the export bench and tests: orders with money, JSON,
 * arrays, a nullable note and two timestamps, indexed on updated_at.
 * @param {number} rows
 * @param {string} [table]
 * @returns {string}
 */
export function ordersSql(rows, table = "orders") {
  return `
CREATE TABLE ${table} (
  id bigserial PRIMARY KEY, public_id uuid NOT NULL, customer_email text NOT NULL, status text NOT NULL,
  amount numeric(12,2) NOT NULL, currency char(3) NOT NULL, items jsonb NOT NULL, tags text[], note text,
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL
);
INSERT INTO ${table} (public_id, customer_email, status, amount, currency, items, tags, note, created_at, updated_at)
SELECT md5(g::text)::uuid, 'customer' || (g % 50000) || '@example.com', (ARRAY['pending','paid','shipped','refunded'])[1 + g % 4],
  round((g % 100000) / 100.0, 2), 'EUR', jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (g % 997), 'qty', 1 + g % 3, 'price', 9.99)),
  CASE WHEN g % 3 = 0 THEN ARRAY['gift','express'] WHEN g % 3 = 1 THEN ARRAY['standard'] END,
  CASE WHEN g % 10 = 0 THEN 'leave at the door, "thanks"' END,
  timestamptz '2026-01-01' + g * interval '1 second', timestamptz '2026-01-01' + g * interval '1 second'
FROM generate_series(1, ${rows}) g;
CREATE INDEX ON ${table} (updated_at);
ANALYZE ${table};`;
}
