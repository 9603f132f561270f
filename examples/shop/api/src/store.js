// The shop's catalogue and orders. Kept in memory here; the orders table of
// the database (see migrate.js) is what the export reads.
export const products = [
  { id: 1, name: "Mug", price_cents: 1200 },
  { id: 2, name: "T-shirt", price_cents: 2500 },
  { id: 3, name: "Sticker", price_cents: 300 },
];

export const orders = [];

export function placeOrder(productId, quantity) {
  const product = products.find((p) => p.id === productId);
  if (!product || !Number.isInteger(quantity) || quantity < 1) return undefined;
  const now = new Date().toISOString();
  const order = { id: orders.length + 1, status: "pending", total_cents: product.price_cents * quantity, created_at: now, updated_at: now };
  orders.push(order);
  return order;
}
