import type { Types } from 'mongoose';
import type { TStatusCode } from '../contracts/exchange.js';
import { foldVietnamese } from '../db/model.js';
import type { HistoryDoc } from '../modules/exchange/index.js';
import type { WorkCalendar } from './synthetic-calendar.js';
import type { DocumentPlan, Staff, SynVersion } from './synthetic-documents.js';
import { lifecycle, type Step } from './synthetic-history.js';
import type { SynOrg } from './synthetic-orgs.js';
import { ID_KIND, randomHex, type IdMaker, type Rng } from './synthetic-random.js';

/**
 * Dispatches and deliveries shaped as the exchange module stores them (delivery.model.ts):
 * history entries with the actor and a receipt slot, `change` for recall and update requests
 * (13, answered 15 or 16), `withdrawn` after an agreed recall. Receipts are left empty
 * (`keyId: 'synthetic'`): nothing was signed.
 */
const HOUR = 3_600_000;
const HUB_ACTOR = { actorId: 'hub', actorName: 'Trục LiênThông' };
const RECEIPT = { jws: '', keyId: 'synthetic' };

/** A sender's request after dispatch: recall the copies, or replace the file (update). */
export type ChangeRequest = {
  kind: 'recall' | 'update';
  at: number;
  reason: string;
  version?: SynVersion;
};

export type Built = { dispatch: Record<string, unknown>; deliveries: Record<string, unknown>[] };

export type ExchangeInput = {
  plan: DocumentPlan;
  sender: SynOrg;
  recipients: SynOrg[];
  staffOf: (o: SynOrg) => Staff;
  at: number;
  due: number | null;
  now: number;
  change: ChangeRequest | null;
};

function entry(code: TStatusCode, at: number, who: SynOrg, staff: Staff | null): HistoryDoc {
  return {
    code,
    at: new Date(at),
    ...(staff ? { actorId: String(staff.clerkId), actorName: staff.clerkName } : HUB_ACTOR),
    orgId: String(who._id),
    receipt: RECEIPT,
  };
}

/** Applies the sender's request to one delivery's steps: 13, then the recipient's 15 or 16. */
function withChange(
  rng: Rng,
  steps: Step[],
  change: ChangeRequest,
  now: number,
): { steps: Step[]; extra: { code: TStatusCode; at: number }[]; state: string } | null {
  if (steps.some((s) => s.code === '02' && s.at <= change.at)) return null;
  const answerAt = change.at + Math.floor(rng.logNormal(2 * HOUR, 1));
  const x = rng.next();
  const answer = answerAt > now ? null : x < 0.85 ? '15' : x < 0.95 ? '16' : null;
  const extra: { code: TStatusCode; at: number }[] = [{ code: '13', at: change.at }];
  if (answer) extra.push({ code: answer, at: answerAt });
  const state = answer === '15' ? 'agreed' : answer === '16' ? 'refused' : 'requested';
  // an agreed recall takes the copy away: the recipient does nothing more with it
  const kept =
    change.kind === 'recall' && answer === '15' ? steps.filter((s) => s.at <= answerAt) : steps;

  return { steps: kept, extra, state };
}

/** One dispatch of a document to its recipients, each delivery with its own life. */
export function buildExchange(
  rng: Rng,
  ids: IdMaker,
  cal: WorkCalendar,
  input: ExchangeInput,
): Built {
  const { plan, sender, recipients, at, due, now, change } = input;
  const doc = plan.doc;
  const senderStaff = input.staffOf(sender);
  const dispatchId = ids.make(ID_KIND.dispatch, at);
  const version = plan.dispatched;
  const folded = foldVietnamese(`${doc.meta.subject} ${doc.codeLabel} ${sender.name}`);
  const deliveries = recipients.map((r) => {
    const staff = input.staffOf(r);
    let steps = lifecycle(rng, cal, at, due, now);
    let extra: { code: TStatusCode; at: number }[] = [];
    let changeDoc: Record<string, unknown> | null = null;
    let withdrawn = false;
    let versionId: Types.ObjectId = version._id;
    let versionSha256 = version.sha256;
    const changed = change && change.at <= now ? withChange(rng, steps, change, now) : null;
    if (changed && change) {
      steps = changed.steps;
      extra = changed.extra;
      changeDoc = {
        kind: change.kind,
        state: changed.state,
        reason: change.reason,
        ...(change.version
          ? { versionId: change.version._id, versionSha256: change.version.sha256 }
          : {}),
      };
      withdrawn = change.kind === 'recall' && changed.state === 'agreed';
      if (change.kind === 'update' && changed.state === 'agreed' && change.version) {
        versionId = change.version._id;
        versionSha256 = change.version.sha256;
      }
    }
    const history: HistoryDoc[] = steps.map((s) => {
      const e = entry(s.code, s.at, r, s.code === '01' ? null : staff);
      if (s.code === '02') e.reason = 'Văn bản không thuộc thẩm quyền giải quyết của cơ quan';
      if (s.code === '04') e.assigneeId = String(staff.handlerId);
      return e;
    });
    for (const x of extra) {
      const bySender = x.code === '13';
      const e = entry(x.code, x.at, bySender ? sender : r, bySender ? senderStaff : staff);
      if (bySender) e.reason = change!.reason;
      history.push(e);
    }
    history.sort((a, b) => a.at.getTime() - b.at.getTime());
    const last = history.at(-1)!.at;

    return {
      _id: ids.make(ID_KIND.delivery, at),
      dispatchId,
      documentId: doc._id,
      versionId,
      versionSha256,
      senderOrgId: sender._id,
      senderName: sender.name,
      recipientOrgId: r._id,
      recipientName: r.name,
      status: steps.at(-1)!.code,
      subject: doc.meta.subject,
      codeLabel: doc.codeLabel,
      folded,
      urgency: doc.meta.urgency,
      dueDate: due === null ? null : new Date(due),
      assigneeId: steps.some((s) => s.code === '04') ? staff.handlerId : null,
      change: changeDoc,
      withdrawn,
      history,
      synthetic: true,
      createdAt: new Date(at),
      updatedAt: last,
    };
  });
  const dispatch = {
    _id: dispatchId,
    orgId: sender._id,
    documentId: doc._id,
    versionId: version._id,
    recipients: recipients.map((r) => r._id),
    dueDate: due === null ? null : new Date(due),
    idempotencyKey: null,
    requestHash: randomHex(rng, 64),
    complete: true,
    recalled: change?.kind === 'recall' && change.at <= now,
    createdBy: String(senderStaff.clerkId),
    createdByName: senderStaff.clerkName,
    synthetic: true,
    createdAt: new Date(at),
  };

  return { dispatch, deliveries };
}
