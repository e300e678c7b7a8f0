/**
 * Bytes of a Buffer field as mongoose returns it: a Buffer from documents, a BSON Binary from
 * `.lean()` queries. Always a fresh Uint8Array (safe to cache by identity).
 */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  const inner = (value as { buffer?: unknown } | null)?.buffer;
  if (inner instanceof Uint8Array) return new Uint8Array(inner);
  throw new TypeError('expected binary data from MongoDB');
}
