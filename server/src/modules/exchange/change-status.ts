import { Types } from 'mongoose';
import {
  STATUS,
  type TDelivery,
  type TStatusChange,
  type TStatusCode,
} from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { appendAudit, actorOf } from '../audit/index.js';
import { Users } from '../auth/index.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { publishEvents } from '../events/index.js';
import { Deliveries, type DeliveryDoc, type HistoryDoc } from './delivery.model.js';
import { presentDelivery, statusEvent } from './present.js';
import { receiptFor } from './receipts.js';
import { CHANGE_ANSWER_ROLES, TRANSITIONS } from './transitions.js';

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'Không tìm thấy văn bản đến.');
}

async function recipientDelivery(ctx: HubContext, p: Principal, id: string): Promise<DeliveryDoc> {
  if (!Types.ObjectId.isValid(id)) throw notFound();
  const d = await Deliveries(ctx.db.conn)
    .findOne({
      _id: new Types.ObjectId(id),
      recipientOrgId: new Types.ObjectId(p.orgId),
      withdrawn: false,
    })
    .lean();
  if (!d) throw notFound();

  return d;
}

async function historyEntry(
  ctx: HubContext,
  p: Principal,
  d: DeliveryDoc,
  change: TStatusChange,
  at: Date,
): Promise<HistoryDoc> {
  const reason = 'reason' in change ? change.reason : undefined;
  const receipt = await receiptFor(ctx, d, {
    signer: 'recipient',
    code: change.code,
    at,
    actorId: p.id,
    actorName: p.name,
    ...(reason ? { reason } : {}),
  });

  return {
    code: change.code,
    at,
    actorId: p.id,
    actorName: p.name,
    orgId: p.orgId,
    ...(reason ? { reason } : {}),
    ...('note' in change && change.note ? { note: change.note } : {}),
    ...('assigneeId' in change ? { assigneeId: change.assigneeId } : {}),
    receipt,
  };
}

/** The conditional update is the commit point: it applies only from an allowed state. */
function updateFor(change: TStatusChange, entry: HistoryDoc): { filter: object; update: object } {
  if (change.code === STATUS.CHANGE_AGREED || change.code === STATUS.CHANGE_REFUSED) {
    const agreed = change.code === STATUS.CHANGE_AGREED;

    return {
      filter: { 'change.state': 'requested' },
      update: {
        $set: { 'change.state': agreed ? 'agreed' : 'refused' },
        $push: { history: entry },
      },
    };
  }
  const rule = TRANSITIONS[change.code];
  const set: Record<string, unknown> = { status: change.code };
  if (change.code === STATUS.ASSIGNED) set.assigneeId = new Types.ObjectId(change.assigneeId);

  return {
    filter: { status: { $in: rule.from }, change: null },
    update: { $set: set, $push: { history: entry } },
  };
}

async function checkAllowed(
  ctx: HubContext,
  p: Principal,
  d: DeliveryDoc,
  change: TStatusChange,
): Promise<void> {
  const roles =
    change.code === STATUS.CHANGE_AGREED || change.code === STATUS.CHANGE_REFUSED
      ? CHANGE_ANSWER_ROLES
      : TRANSITIONS[change.code].roles;
  if (!hasRole(p, ...roles))
    throw new AppError(
      'FORBIDDEN',
      `Vai trò của bạn không được chuyển sang trạng thái ${change.code}.`,
    );
  if (
    (change.code === STATUS.CHANGE_AGREED || change.code === STATUS.CHANGE_REFUSED) &&
    d.change?.state !== 'requested'
  ) {
    throw new AppError('INVALID_STATE', 'Không có yêu cầu thu hồi/cập nhật nào đang chờ trả lời.');
  }
  if (change.code === STATUS.ASSIGNED) {
    const assignee = await Users(ctx.db.conn).exists({
      _id: new Types.ObjectId(change.assigneeId),
      orgId: d.recipientOrgId,
      active: true,
    });
    if (!assignee)
      throw new AppError('VALIDATION_FAILED', 'Người được phân công không thuộc cơ quan nhận.');
  }
}

function invalidTransition(d: DeliveryDoc, code: TStatusCode): AppError {
  return new AppError(
    'INVALID_STATE',
    `Không chuyển được từ trạng thái ${d.status} sang ${code}.`,
    { from: d.status, to: code },
  );
}

/** A recipient moves its delivery on: receipt signed, history appended, sender notified live. */
export async function changeStatus(
  ctx: HubContext,
  p: Principal,
  deliveryId: string,
  change: TStatusChange,
): Promise<TDelivery> {
  const d = await recipientDelivery(ctx, p, deliveryId);
  await checkAllowed(ctx, p, d, change);
  const at = new Date();
  const entry = await historyEntry(ctx, p, d, change, at);
  const { filter, update } = updateFor(change, entry);
  const updated = await Deliveries(ctx.db.conn)
    .findOneAndUpdate({ _id: d._id, ...filter }, update, { new: true })
    .lean();
  if (!updated) throw invalidTransition(d, change.code);
  const final = await applyAgreedChange(ctx, updated, change.code);
  await ctx.bus.publish('delivery.transitions', {
    transitions: [{ delivery: final, code: change.code, at }],
  });
  await publishEvents(ctx, [
    statusEvent(d, entry, `status:${String(d._id)}:${change.code}:${at.getTime()}`),
  ]);
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: `delivery.status.${change.code}`,
    orgIds: [String(d.senderOrgId), String(d.recipientOrgId)],
    target: { type: 'delivery', id: String(d._id) },
    details: entry.reason ? { reason: entry.reason } : {},
  });

  return presentDelivery(final);
}

/** 15 on a recall withdraws the copy; 15 on an update moves the delivery to the new version. */
async function applyAgreedChange(
  ctx: HubContext,
  d: DeliveryDoc,
  code: TStatusCode,
): Promise<DeliveryDoc> {
  if (code !== STATUS.CHANGE_AGREED || !d.change) return d;
  const set =
    d.change.kind === 'recall'
      ? { withdrawn: true }
      : { versionId: d.change.versionId, versionSha256: d.change.versionSha256 };
  const out = await Deliveries(ctx.db.conn)
    .findOneAndUpdate({ _id: d._id }, { $set: set }, { new: true })
    .lean();

  return out ?? d;
}
