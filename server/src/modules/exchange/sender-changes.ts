import { Types } from 'mongoose';
import { STATUS, type TDispatch } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { appendAudit, actorOf } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';
import { getOwnDocument, setDocumentStatus } from '../documents/index.js';
import { publishEvents, type NewEvent } from '../events/index.js';
import { Deliveries, Dispatches, type DeliveryDoc, type DispatchDoc } from './delivery.model.js';
import { presentDispatch } from './present.js';
import { receiptFor } from './receipts.js';

export async function ownDispatch(ctx: HubContext, p: Principal, id: string): Promise<DispatchDoc> {
  const d = Types.ObjectId.isValid(id)
    ? await Dispatches(ctx.db.conn)
        .findOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(p.orgId) })
        .lean()
    : null;
  if (!d) throw new AppError('NOT_FOUND', 'Không tìm thấy lần gửi văn bản.');

  return d;
}

type Change =
  | { kind: 'recall'; reason: string }
  | {
      kind: 'update';
      reason: string;
      versionId: Types.ObjectId;
      versionSha256: string;
      replace: boolean;
    };

/** The deliveries a change reaches: every one, or those of some recipients (an edXML package's To). */
export type ChangeScope = { recipientOrgIds?: string[] };

/** Each open delivery gets the change request, a 13 receipt signed by the sender, and one event. */
async function requestChange(
  ctx: HubContext,
  p: Principal,
  dispatch: DispatchDoc,
  change: Change,
  scope: ChangeScope = {},
): Promise<DeliveryDoc[]> {
  const only = scope.recipientOrgIds?.map((id) => new Types.ObjectId(id));
  const open = await Deliveries(ctx.db.conn)
    .find({
      dispatchId: dispatch._id,
      ...(only ? { recipientOrgId: { $in: only } } : {}),
      status: { $ne: STATUS.REJECTED },
      withdrawn: false,
      $or: [{ change: null }, { 'change.state': { $ne: 'requested' } }],
    })
    .lean();
  const at = new Date();
  const events: NewEvent[] = [];
  const ops = await Promise.all(
    open.map(async (d) => {
      const receipt = await receiptFor(ctx, d, {
        signer: 'sender',
        code: STATUS.RECALLED,
        at,
        actorId: p.id,
        actorName: p.name,
        reason: change.reason,
      });
      events.push(
        change.kind === 'recall'
          ? {
              orgId: String(d.recipientOrgId),
              type: 'dispatch:recalled',
              key: `recall:${String(d._id)}:${at.getTime()}`,
              data: {
                dispatchId: String(d.dispatchId),
                documentId: String(d.documentId),
                deliveryId: String(d._id),
                reason: change.reason,
              },
            }
          : {
              orgId: String(d.recipientOrgId),
              type: 'document:updated',
              key: `update:${String(d._id)}:${at.getTime()}`,
              data: {
                documentId: String(d.documentId),
                deliveryId: String(d._id),
                versionId: String(change.versionId),
                kind: change.replace ? 'replace' : 'update',
              },
            },
      );
      return {
        updateOne: {
          filter: { _id: d._id },
          update: {
            $set: { change: { ...change, state: 'requested' } },
            $push: {
              history: {
                code: STATUS.RECALLED,
                at,
                actorId: p.id,
                actorName: p.name,
                orgId: p.orgId,
                reason: change.reason,
                receipt,
              },
            },
          },
        },
      };
    }),
  );
  if (ops.length)
    await Deliveries(ctx.db.conn).collection.bulkWrite(ops as never, { ordered: false });
  await publishEvents(ctx, events);
  const after = await Deliveries(ctx.db.conn).find({ dispatchId: dispatch._id }).lean();
  const changed = new Set(open.map((d) => String(d._id)));
  await ctx.bus.publish('delivery.transitions', {
    transitions: after
      .filter((d) => changed.has(String(d._id)))
      .map((d) => ({ delivery: d, code: STATUS.RECALLED, at })),
  });

  return after;
}

/** The sender takes a dispatched document back (13); each recipient answers 15 or 16. */
export async function recallDispatch(
  ctx: HubContext,
  p: Principal,
  id: string,
  reason: string,
  scope: ChangeScope = {},
): Promise<TDispatch> {
  const dispatch = await ownDispatch(ctx, p, id);
  const marked = await Dispatches(ctx.db.conn)
    .findOneAndUpdate({ _id: dispatch._id }, { $set: { recalled: true } }, { new: true })
    .lean();
  const deliveries = await requestChange(ctx, p, marked!, { kind: 'recall', reason }, scope);
  await setDocumentStatus(ctx, String(dispatch.documentId), 'recalled');
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'dispatch.recalled',
    orgIds: [p.orgId, ...dispatch.recipients.map(String)],
    target: { type: 'dispatch', id },
    details: { reason },
  });

  return presentDispatch(marked!, deliveries);
}

/** The sender updates or replaces the dispatched version; each recipient answers 15 or 16. */
export async function updateDispatch(
  ctx: HubContext,
  p: Principal,
  id: string,
  input: { versionId: string; reason: string; replace: boolean },
  scope: ChangeScope = {},
): Promise<TDispatch> {
  const dispatch = await ownDispatch(ctx, p, id);
  if (dispatch.recalled) throw new AppError('INVALID_STATE', 'Lần gửi này đã bị thu hồi.');
  const doc = await getOwnDocument(ctx, p, String(dispatch.documentId));
  const v = doc.versions.find((x) => String(x._id) === input.versionId);
  if (!v) throw new AppError('VALIDATION_FAILED', 'Phiên bản văn bản không tồn tại.');
  if (String(v._id) === String(dispatch.versionId))
    throw new AppError('VALIDATION_FAILED', 'Đây đã là phiên bản được gửi.');
  const deliveries = await requestChange(
    ctx,
    p,
    dispatch,
    {
      kind: 'update',
      reason: input.reason,
      versionId: v._id,
      versionSha256: v.sha256,
      replace: input.replace,
    },
    scope,
  );
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: input.replace ? 'dispatch.replaced' : 'dispatch.updated',
    orgIds: [p.orgId, ...dispatch.recipients.map(String)],
    target: { type: 'dispatch', id },
    details: { versionSha256: v.sha256, reason: input.reason },
  });

  return presentDispatch(dispatch, deliveries);
}
