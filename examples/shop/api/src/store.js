// The catalogue lives in code (the API and the worker share this image);
// orders live in Postgres.
export const products = [
  { id: 1, name: "Mug", price_cents: 1200 },
  { id: 2, name: "T-shirt", price_cents: 2500 },
  { id: 3, name: "Sticker", price_cents: 300 },
];

export const productById = (id) => products.find((p) => p.id === id);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The order's row, or undefined when the request names no known product, quantity or address. */
export async function placeOrder(pool, { productId, quantity = 1, email }) {
  const product = productById(productId);
  if (!product || !Number.isInteger(quantity) || quantity < 1 || quantity > 100) return undefined;
  if (typeof email !== "string" || email.length > 254 || !EMAIL.test(email)) return undefined;
  const { rows } = await pool.query(
    `INSERT INTO orders (product_id, quantity, total_cents, email) VALUES ($1, $2, $3, $4)
     RETURNING id::int, status, product_id, quantity, total_cents, created_at, updated_at`,
    [product.id, quantity, product.price_cents * quantity, email],
  );
  return rows[0];
}
