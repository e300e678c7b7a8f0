import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { STATUS, type TDispatchCreate, type TDispatchSent } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { canonicalJson } from '../../db/canonical-json.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { appendAudit, actorOf } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';
import {
  getOwnDocument,
  loadDocument,
  markDispatched,
  assertReleasable,
  markReleased,
  type DocumentDoc,
} from '../documents/index.js';
import { publish } from '../events/index.js';
import { findOrg, findOrgs, type OrgDoc } from '../orgs/index.js';
import { Deliveries, Dispatches, type DeliveryDoc, type DispatchDoc } from './delivery.model.js';
import { arrivalEvents, storeNumbered } from './arrival-log.js';
import { presentSent } from './present.js';
import { receiptFor } from './receipts.js';

/** End of the due day in Vietnam time (UTC+7), when handling becomes overdue. */
export function endOfDayVietnam(isoDate: string): Date {
  return new Date(`${isoDate}T23:59:59.999+07:00`);
}

/** The sending organization and the recipients, read together (one engine round trip). */
async function partiesOf(
  ctx: HubContext,
  sender: string,
  ids: string[],
): Promise<{ sender: OrgDoc; recipients: OrgDoc[] }> {
  const unique = [...new Set(ids)];
  if (unique.includes(sender))
    throw new AppError('VALIDATION_FAILED', 'Không gửi văn bản cho chính cơ quan mình.');
  const orgs = await findOrgs(ctx, { ids: [sender, ...unique] });
  const byId = new Map(orgs.map((o) => [String(o._id), o]));
  const self = byId.get(sender);
  if (!self) throw new AppError('FORBIDDEN', 'Cơ quan của bạn không còn tồn tại.');
  const missing = unique.filter((i) => !byId.get(i)?.active);
  if (missing.length > 0) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Nơi nhận không tồn tại hoặc ngừng hoạt động: ${missing.join(', ')}`,
    );
  }

  return { sender: self, recipients: unique.map((i) => byId.get(i)!) };
}

function versionOf(doc: DocumentDoc, versionId: string | undefined) {
  const id = versionId ?? String(doc.currentVersionId);
  const v = doc.versions.find((x) => String(x._id) === id);
  if (!v) throw new AppError('VALIDATION_FAILED', 'Phiên bản văn bản không tồn tại.');

  return v;
}

/** The same request retried must be recognised; a different request under the same key must not. */
function requestHash(input: TDispatchCreate): string {
  return createHash('sha256')
    .update(canonicalJson({ ...input, recipients: [...new Set(input.recipients)].sort() }))
    .digest('hex');
}

async function buildDeliveries(
  ctx: HubContext,
  dispatch: DispatchDoc,
  doc: DocumentDoc,
  sender: OrgDoc,
  recipients: OrgDoc[],
) {
  const v = versionOf(doc, String(dispatch.versionId));
  const at = dispatch.createdAt;

  return Promise.all(
    recipients.map(async (r): Promise<DeliveryDoc> => {
      const _id = new Types.ObjectId();
      const ref = {
        _id,
        dispatchId: dispatch._id,
        documentId: doc._id,
        versionSha256: v.sha256,
        senderOrgId: sender._id,
        recipientOrgId: r._id,
      };
      const receipt = await receiptFor(ctx, ref, {
        signer: 'recipient',
        code: STATUS.ARRIVED,
        at,
        actorId: 'hub',
        actorName: 'Trục LiênThông',
      });

      return {
        _id,
        dispatchId: dispatch._id,
        documentId: doc._id,
        versionId: v._id,
        versionSha256: v.sha256,
        senderOrgId: sender._id,
        senderName: sender.name,
        recipientOrgId: r._id,
        recipientName: r.name,
        status: STATUS.ARRIVED,
        subject: doc.meta.subject,
        codeLabel: doc.codeLabel,
        folded: foldVietnamese(`${doc.meta.subject} ${doc.codeLabel} ${sender.name}`),
        urgency: doc.meta.urgency,
        dueDate: dispatch.dueDate,
        assigneeId: null,
        change: null,
        withdrawn: false,
        history: [
          {
            code: STATUS.ARRIVED,
            at,
            actorId: 'hub',
            actorName: 'Trục LiênThông',
            orgId: String(r._id),
            receipt,
          },
        ],
        createdAt: at,
        updatedAt: at,
      };
    }),
  );
}

type Parts = { doc: DocumentDoc; sender: OrgDoc; recipients: OrgDoc[] };
/** The deliveries already stored and the ones built for the recipients still missing one. */
type Pending = { existing: DeliveryDoc[]; built: DeliveryDoc[] };

/** What a retry needs to complete a dispatch a first attempt left incomplete. */
async function partsOf(ctx: HubContext, dispatch: DispatchDoc): Promise<Parts & Pending> {
  const [doc, sender, recipients, existing] = await Promise.all([
    loadDocument(ctx, String(dispatch.documentId)),
    findOrg(ctx, { id: dispatch.orgId }),
    findOrgs(ctx, { ids: dispatch.recipients }),
    Deliveries(ctx.db.conn).find({ dispatchId: dispatch._id }).lean(),
  ]);
  const have = new Set(existing.map((d) => String(d.recipientOrgId)));
  const missing = recipients.filter((r) => !have.has(String(r._id)));
  const built = await buildDeliveries(ctx, dispatch, doc, sender!, missing);

  return { doc, sender: sender!, recipients, existing, built };
}

/**
 * Stores the built deliveries, numbered with their arrival events (arrival-log.ts), and emits the
 * events. Idempotent: deliveries are unique per (dispatch, recipient) and counters per marker, so
 * a retry after a crash completes what is missing and duplicates nothing.
 */
async function completeDispatch(
  ctx: HubContext,
  dispatch: DispatchDoc,
  parts: Parts & Pending,
): Promise<DeliveryDoc[]> {
  const { existing, built } = parts;
  let stored: DeliveryDoc[] = [];
  await Promise.all([
    publish(ctx, {
      count: 2 * built.length,
      store: async (first) => {
        const numbered = await storeNumbered(ctx, built, first);
        stored = numbered;

        return numbered.flatMap(arrivalEvents);
      },
    }),
    markDispatched(ctx, String(parts.doc._id), dispatch.recipients.map(String)),
  ]);
  const all =
    stored.length === built.length
      ? [...existing, ...built]
      : // a concurrent repair stored some of them first: the stored ones are the ones that count
        await Deliveries(ctx.db.conn).find({ dispatchId: dispatch._id }).lean();
  // stats: the arrivals, and the outgoing document with its signatures (counted once)
  await ctx.bus.publish('delivery.transitions', {
    transitions: all.map((d) => ({ delivery: d, code: STATUS.ARRIVED, at: d.createdAt })),
    outgoing: { dispatch, doc: parts.doc },
  });
  await Dispatches(ctx.db.conn).updateOne({ _id: dispatch._id }, { $set: { complete: true } });

  return all;
}

export type DispatchResult = { dispatch: TDispatchSent; replayed: boolean };

async function replay(
  ctx: HubContext,
  existing: DispatchDoc,
  hash: string,
  principal: Principal,
): Promise<DispatchResult> {
  if (existing.requestHash !== hash) {
    throw new AppError('CONFLICT', 'Idempotency-Key này đã được dùng cho một yêu cầu gửi khác.');
  }
  const deliveries = existing.complete
    ? await Deliveries(ctx.db.conn).find({ dispatchId: existing._id }).lean()
    : await completeDispatch(ctx, existing, await partsOf(ctx, existing));
  // a first attempt that stopped before the trình ký move: released now, once
  const doc = await loadDocument(ctx, String(existing.documentId));
  if (doc.workflow && doc.workflow.state !== 'released')
    await markReleased(ctx, principal, doc, existing.recipients.map(String));

  return { dispatch: presentSent(existing, deliveries), replayed: true };
}

/** Sends one document version to many recipients: one delivery each, live notifications, receipts. */
export async function dispatchDocument(
  ctx: HubContext,
  principal: Principal,
  input: TDispatchCreate,
  idempotencyKey: string | null,
): Promise<DispatchResult> {
  const hash = requestHash(input);
  const dispatches = Dispatches(ctx.db.conn);
  const orgId = new Types.ObjectId(principal.orgId);
  if (idempotencyKey) {
    const existing = await dispatches.findOne({ orgId, idempotencyKey }).lean();
    if (existing) return replay(ctx, existing, hash, principal);
  }
  const [doc, { sender, recipients }] = await Promise.all([
    getOwnDocument(ctx, principal, input.documentId),
    partiesOf(ctx, principal.orgId, input.recipients),
  ]);
  if (doc.status === 'recalled')
    throw new AppError('INVALID_STATE', 'Văn bản đã bị thu hồi, không gửi được.');
  // trình ký: numbered before release; unsigned only where the organization allows it
  await assertReleasable(ctx, doc);
  const version = versionOf(doc, input.versionId);
  const dueIso = input.dueDate ?? doc.meta.dueDate;
  const dispatch: DispatchDoc = {
    _id: new Types.ObjectId(),
    orgId,
    documentId: doc._id,
    versionId: version._id,
    recipients: recipients.map((r) => r._id),
    dueDate: dueIso ? endOfDayVietnam(dueIso) : null,
    ...(input.note ? { note: input.note } : {}),
    idempotencyKey,
    requestHash: hash,
    complete: false,
    recalled: false,
    createdBy: principal.id,
    createdByName: principal.name,
    createdAt: new Date(),
  };
  let built: DeliveryDoc[];
  try {
    // the receipts are signed while the dispatch is being stored
    [, built] = await Promise.all([
      dispatches.collection.insertOne(dispatch),
      buildDeliveries(ctx, dispatch, doc, sender, recipients),
    ]);
  } catch (err) {
    // A concurrent request with the same key won the race: answer as a replay of it.
    if ((err as { code?: number }).code !== 11000 || !idempotencyKey) throw err;

    return replay(
      ctx,
      (await dispatches.findOne({ orgId, idempotencyKey }).lean())!,
      hash,
      principal,
    );
  }
  const deliveries = await completeDispatch(ctx, dispatch, {
    doc,
    sender,
    recipients,
    existing: [],
    built,
  });
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: 'dispatch.created',
    orgIds: [principal.orgId, ...recipients.map((r) => String(r._id))],
    target: { type: 'dispatch', id: String(dispatch._id) },
    details: {
      documentId: String(doc._id),
      versionSha256: version.sha256,
      recipients: recipients.length,
    },
  });

  await markReleased(
    ctx,
    principal,
    doc,
    recipients.map((r) => String(r._id)),
  );

  return { dispatch: presentSent(dispatch, deliveries), replayed: false };
}
