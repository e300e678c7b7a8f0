import type { Connection, Model, Schema } from 'mongoose';

/**
 * Models are bound to a connection, not to mongoose's global one, so several hubs (tests, the
 * seed command) can live in one process. `defineModel` returns a getter that registers the
 * schema on first use per connection.
 */
export function defineModel<T>(name: string, schema: Schema<T>): (conn: Connection) => Model<T> {
  return (conn) => (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}

export { foldVietnamese } from '../contracts/text.js';

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
