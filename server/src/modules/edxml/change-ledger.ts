import { Schema } from 'mongoose';
import type { HubContext } from '../../context.js';
import { oneOf, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';

/**
 * Change packages (revocation, update, replacement) applied here, one record per package: the
 * signed content digest is the key, so importing the same package again (even re-signed with a
 * random ECDSA value) finds its record and changes nothing, while a new package from the sender
 * (a second recall after a refusal) is a new request. Inserting the record is the claim: of two
 * concurrent imports of one package, one applies it.
 */
type LedgerDoc = {
  _id: string;
  state: 'applying' | 'done';
  claimedAt: Date;
  /** What the package changed: the originals and their dispatches, the new version if any. */
  applied?: AppliedChange;
};

export type AppliedChange = {
  originals: { documentId: string; dispatchIds: string[]; versionId?: string }[];
};

const schema = new Schema<LedgerDoc>(
  {
    _id: required(String),
    state: oneOf(['applying', 'done']),
    claimedAt: required(Date),
    applied: { type: Schema.Types.Mixed },
  },
  { timestamps: true, versionKey: false },
);

export const EdxmlChanges = defineModel<LedgerDoc>('EdxmlChange', schema);

/** A claim older than this belongs to an import that died: another may take it over. */
const STALE_MS = 2 * 60_000;

export type Claim = { key: string; claimedAt: Date } | { replay: AppliedChange };

/**
 * Claims a package for applying, or returns what it applied before. A claim being applied by
 * another request right now is a 409 (retry in a moment); a stale one is taken over.
 */
export async function claimChange(ctx: HubContext, key: string): Promise<Claim> {
  const model = EdxmlChanges(ctx.db.conn);
  const claimedAt = new Date();
  try {
    await model.create({ _id: key, state: 'applying', claimedAt });

    return { key, claimedAt };
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
  }
  const existing = await model.findById(key).lean();
  if (existing?.state === 'done' && existing.applied) return { replay: existing.applied };
  const taken = await model
    .findOneAndUpdate(
      { _id: key, state: 'applying', claimedAt: { $lt: new Date(Date.now() - STALE_MS) } },
      { $set: { claimedAt } },
      { new: true },
    )
    .lean();
  if (taken) return { key, claimedAt };
  throw new AppError(
    'CONFLICT',
    'Gói edXML này đang được nhập ở một yêu cầu khác; hãy thử lại sau ít phút.',
  );
}

/** What the package applied, if it was imported before (a read; no claim). */
export async function appliedBefore(ctx: HubContext, key: string): Promise<AppliedChange | null> {
  const doc = await EdxmlChanges(ctx.db.conn).findById(key).lean();

  return doc?.state === 'done' && doc.applied ? doc.applied : null;
}

export async function completeChange(
  ctx: HubContext,
  key: string,
  applied: AppliedChange,
): Promise<void> {
  await EdxmlChanges(ctx.db.conn).updateOne({ _id: key }, { $set: { state: 'done', applied } });
}

/** An import that failed gives its claim back, so the same package can be sent again. */
export async function releaseChange(ctx: HubContext, key: string, claimedAt: Date): Promise<void> {
  await EdxmlChanges(ctx.db.conn).deleteOne({ _id: key, state: 'applying', claimedAt });
}
