import { Schema, type SchemaDefinition, type SchemaDefinitionType } from 'mongoose';

/**
 * The path options the models repeat, so that a schema reads as its fields: `required(String)`,
 * `nullable(Date)`, `required(ObjectId, { index: true })`, `oneOf(STATUSES)`. Further options of
 * the path go in `more`.
 */

/** `Schema.Types.ObjectId`: the type of a path holding another document's id. */
export const ObjectId = Schema.Types.ObjectId;

/** A path every document must hold. */
export function required<T, M extends object = object>(type: T, more?: M) {
  return { type, required: true as const, ...more };
}

/** A path that holds null until it is set. */
export function nullable<T, M extends object = object>(type: T, more?: M) {
  return { type, default: null, ...more };
}

/** A required string that is one of `values`. */
export function oneOf<M extends object = object>(values: readonly string[], more?: M) {
  return { type: String, enum: values, required: true as const, ...more };
}

/** The schema of a part of a document: no `_id` of its own, and unknown fields rejected. */
export function embedded<T>(definition: SchemaDefinition<SchemaDefinitionType<T>>): Schema<T> {
  return new Schema<T>(definition, { _id: false, strict: 'throw' });
}
