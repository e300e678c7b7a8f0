import type { Connection, Model, Schema } from 'mongoose';

/**
 * Models are bound to a connection, not to mongoose's global one, so several hubs (tests, the
 * seed command) can live in one process. `defineModel` returns a getter that registers the
 * schema on first use per connection.
 */
export function defineModel<T>(name: string, schema: Schema<T>): (conn: Connection) => Model<T> {
  return (conn) => (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

/**
 * Options of a unique index over the documents where `field` holds a `type` value: those without
 * one (no idempotency key given, no number yet) never collide.
 */
export function uniqueWhereSet(field: string, type: 'string' | 'number', name?: string) {
  return {
    unique: true,
    ...(name ? { name } : {}),
    partialFilterExpression: { [field]: { $type: type } },
  };
}

export { foldVietnamese } from '../contracts/text.js';

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
