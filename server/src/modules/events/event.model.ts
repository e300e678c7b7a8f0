import { Schema, Types } from 'mongoose';
import type { EventType } from '../../contracts/events.js';
import { ObjectId, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';

export type EventDoc = {
  /** `<orgId>|<key>`: the primary key itself makes a repeated publish a no-op (one index less). */
  _id: string;
  orgId: Types.ObjectId;
  /** From one hub-wide counter, so it increases within every organization (gaps are normal). */
  seq: number;
  type: EventType;
  /** Names the fact the event tells (a retried request or a crash repair publishes it again). */
  key: string;
  data: unknown;
  at: Date;
};

const schema = new Schema<EventDoc>(
  {
    _id: required(String),
    orgId: required(ObjectId),
    seq: required(Number),
    type: required(String),
    key: required(String),
    data: { type: Schema.Types.Mixed },
    at: required(Date),
  },
  { versionKey: false },
);
schema.index({ orgId: 1, seq: 1 }, { unique: true });

export const Events = defineModel<EventDoc>('Event', schema);

export type CounterDoc = { _id: string; seq: number };
export const Counters = defineModel<CounterDoc>(
  'Counter',
  new Schema<CounterDoc>({ _id: String, seq: { type: Number, default: 0 } }, { versionKey: false }),
);

/** Reserves `n` consecutive numbers of a named counter; returns the first. */
export async function reserve(
  conn: import('mongoose').Connection,
  name: string,
  n: number,
): Promise<number> {
  const c = await Counters(conn).findOneAndUpdate(
    { _id: name },
    { $inc: { seq: n } },
    { upsert: true, new: true, lean: true },
  );

  return c!.seq - n + 1;
}
