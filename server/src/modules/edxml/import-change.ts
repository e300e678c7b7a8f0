import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { STATUS } from '../../contracts/exchange.js';
import { EdxmlError, type EdxmlAttachment, type ParsedPackage } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { addVersion, type DocumentDoc, sha256Hex } from '../documents/index.js';
import {
  Deliveries,
  Dispatches,
  type DeliveryDoc,
  recallDispatch,
  updateDispatch,
} from '../exchange/index.js';
import type { OrgDoc } from '../orgs/index.js';
import {
  attachmentsOf,
  checkSameAttachments,
  presentAttachment,
  storeAttachments,
} from './attachments.js';
import {
  appliedBefore,
  claimChange,
  completeChange,
  releaseChange,
  type AppliedChange,
} from './change-ledger.js';
import {
  MH,
  localRecipients,
  mainPdf,
  presentImported,
  senderPrincipal,
  type ImportResult,
} from './import-common.js';
import { resolveOriginals, type Original } from './original-document.js';
import { checkPdfSignatures, type PdfCheck } from './pdf-checks.js';

const KIND = { 1: 'recall', 2: 'update', 3: 'replace' } as const;

/** One original document and, per dispatch of it, the package's recipients it reached. */
type Target = { original: Original; dispatches: Map<string, string[]> };

type Signed = { digest: string; xmlSignature: ImportResult['xmlSignature'] };

/** A replacement may name, per replaced document, the organizations it concerns (OrganIdList). */
function concerned(pkg: ParsedPackage, original: Original, local: OrgDoc[]): OrgDoc[] {
  const listed = pkg.bussiness.replacements?.find(
    (r) => r.documentId === original.ref.documentId,
  )?.organIds;

  return listed?.length ? local.filter((o) => listed.includes(o.code)) : local;
}

/** When the sender issued the package: its latest TraceHeader (a hub export adds its 13 time). */
function issuedAt(pkg: ParsedPackage): number | undefined {
  const times = pkg.traces.map((t) => t.timestamp.getTime());

  return times.length ? Math.max(...times) : undefined;
}

/** The sender asked this delivery for a change (13) at or after the package was issued. */
function askedSince(d: Pick<DeliveryDoc, 'history'>, issued: number | undefined): boolean {
  const asked = d.history.filter((h) => h.code === STATUS.RECALLED).at(-1)?.at;

  return issued !== undefined && !!asked && asked.getTime() >= issued;
}

function byDispatch(deliveries: Pick<DeliveryDoc, 'dispatchId' | 'recipientOrgId'>[]) {
  const dispatches = new Map<string, string[]>();
  for (const d of deliveries) {
    const key = String(d.dispatchId);
    dispatches.set(key, [...(dispatches.get(key) ?? []), String(d.recipientOrgId)]);
  }

  return dispatches;
}

/**
 * Deliveries of each original, from its issuer, to the package's recipients on this hub: all of
 * them (`known`), and those the package still has to ask (`pending`). A delivery asked for a
 * change since the package was issued already carries it: the hub's own export of a recall
 * imported back into the same hub, for one, asks nobody twice.
 */
async function targetsOf(
  ctx: HubContext,
  pkg: ParsedPackage,
  originals: Original[],
  local: OrgDoc[],
): Promise<{ known: Target[]; pending: Target[] }> {
  const known: Target[] = [];
  const pending: Target[] = [];
  const issued = issuedAt(pkg);
  for (const original of originals) {
    const deliveries = await Deliveries(ctx.db.conn)
      .find({
        documentId: original.doc._id,
        senderOrgId: original.owner._id,
        recipientOrgId: { $in: concerned(pkg, original, local).map((o) => o._id) },
      })
      .select('dispatchId recipientOrgId history')
      .lean();
    known.push({ original, dispatches: byDispatch(deliveries) });
    const open = deliveries.filter((d) => !askedSince(d, issued));
    pending.push({ original, dispatches: byDispatch(open) });
  }
  if (known.every((t) => t.dispatches.size === 0)) {
    throw new AppError(
      'INVALID_STATE',
      `EDXML_NOT_DELIVERED: ${MH}/edXML:To: văn bản gốc chưa được gửi qua trục đến nơi nhận nào có trong To.`,
      { reason: 'EDXML_NOT_DELIVERED', element: `${MH}/edXML:To` },
    );
  }

  return { known, pending };
}

/** A change already carried: the originals, their dispatches and the version with the PDF. */
function appliedOf(pkg: ParsedPackage, targets: Target[]): AppliedChange {
  const sha = pkg.bussiness.docType === 1 ? undefined : sha256Hex(mainPdf(pkg).bytes);

  return {
    originals: targets.map((t) => {
      const version = sha ? t.original.doc.versions.find((v) => v.sha256 === sha) : undefined;

      return {
        documentId: String(t.original.doc._id),
        dispatchIds: [...t.dispatches.keys()],
        ...(version ? { versionId: String(version._id) } : {}),
      };
    }),
  };
}

/**
 * For an update or replacement: only dispatches that are not recalled and do not already carry
 * this PDF can change. None left → 409 (recalled) or 422 (the PDF already sent), nothing written.
 */
async function updatable(ctx: HubContext, targets: Target[], main: EdxmlAttachment) {
  const ids = targets.flatMap((t) => [...t.dispatches.keys()]).map((i) => new Types.ObjectId(i));
  const stored = await Dispatches(ctx.db.conn)
    .find({ _id: { $in: ids } })
    .select('recalled versionId')
    .lean();
  const sha = sha256Hex(main.bytes);
  const sentSha = (doc: DocumentDoc, versionId: Types.ObjectId) =>
    doc.versions.find((v) => String(v._id) === String(versionId))?.sha256;
  const open = (t: Target, id: string) => {
    const d = stored.find((x) => String(x._id) === id);

    return !!d && !d.recalled && sentSha(t.original.doc, d.versionId) !== sha;
  };
  const kept = targets.map((t) => ({
    ...t,
    dispatches: new Map([...t.dispatches].filter(([id]) => open(t, id))),
  }));
  if (kept.some((t) => t.dispatches.size > 0)) return kept;
  if (stored.every((d) => d.recalled)) {
    throw new AppError(
      'INVALID_STATE',
      'Văn bản gốc đã bị thu hồi, không cập nhật hay thay thế được.',
      {
        reason: 'EDXML_RECALLED',
      },
    );
  }
  throw new EdxmlError(
    'EDXML_BAD_VALUE',
    'the package carries the PDF that was already sent: there is nothing to update',
    'AttachmentEncoded/Attachment',
  );
}

/** A version already carrying the PDF must already carry the same attachments (409 otherwise). */
async function checkKeptAttachments(pkg: ParsedPackage, ctx: HubContext, targets: Target[]) {
  const sha = sha256Hex(mainPdf(pkg).bytes);
  for (const t of targets) {
    const same = t.original.doc.versions.find((v) => v.sha256 === sha);
    if (same) await checkSameAttachments(ctx, same._id, extrasOf(pkg));
  }
}

function extrasOf(pkg: ParsedPackage): EdxmlAttachment[] {
  const main = mainPdf(pkg);

  return pkg.attachments.filter((a) => a !== main);
}

/** The PDF as a version of the original: the existing one with the same bytes, or a new one. */
async function versionFor(
  ctx: HubContext,
  p: Principal,
  doc: DocumentDoc,
  main: EdxmlAttachment,
): Promise<string> {
  const sha = sha256Hex(main.bytes);
  const same = doc.versions.find((v) => v.sha256 === sha);
  if (same) return String(same._id);
  const added = await addVersion(ctx, String(doc._id), main.bytes, {
    fileName: main.name,
    reason: 'replacement',
    createdBy: p.id,
  });

  return String(added.version._id);
}

/** The new version with the attachments that came with it. */
async function newVersion(
  ctx: HubContext,
  p: Principal,
  pkg: ParsedPackage,
  doc: DocumentDoc,
): Promise<string> {
  const versionId = await versionFor(ctx, p, doc, mainPdf(pkg));
  const at = { documentId: doc._id, orgId: doc.orgId, versionId: new Types.ObjectId(versionId) };
  await storeAttachments(ctx, at, extrasOf(pkg));

  return versionId;
}

/** The hub's own recall / update rules (sender-changes), per dispatch, for its recipients only. */
async function apply(
  ctx: HubContext,
  p: Principal,
  pkg: ParsedPackage,
  targets: Target[],
  reason: string,
): Promise<AppliedChange> {
  const type = pkg.bussiness.docType;
  const originals: AppliedChange['originals'] = [];
  for (const t of targets) {
    const versionId = type === 1 ? undefined : await newVersion(ctx, p, pkg, t.original.doc);
    for (const [dispatchId, recipientOrgIds] of t.dispatches) {
      const scope = { recipientOrgIds };
      if (versionId) {
        await updateDispatch(ctx, p, dispatchId, { versionId, reason, replace: type === 3 }, scope);
      } else {
        await recallDispatch(ctx, p, dispatchId, reason, scope);
      }
    }
    originals.push({
      documentId: String(t.original.doc._id),
      dispatchIds: [...t.dispatches.keys()],
      ...(versionId ? { versionId } : {}),
    });
  }

  return { originals };
}

/** Applies once per package (see change-ledger.ts); a package seen before returns what it did. */
async function applyOnce(
  ctx: HubContext,
  key: string,
  run: () => Promise<AppliedChange>,
): Promise<{ applied: AppliedChange; replayed: boolean }> {
  const claim = await claimChange(ctx, key);
  if ('replay' in claim) return { applied: claim.replay, replayed: true };
  let applied: AppliedChange;
  try {
    applied = await run();
  } catch (err) {
    await releaseChange(ctx, claim.key, claim.claimedAt);
    throw err;
  }
  await completeChange(ctx, claim.key, applied);

  return { applied, replayed: false };
}

function reasonOf(pkg: ParsedPackage): string {
  return `${pkg.bussiness.reason} (gói edXML ${pkg.header.documentId})`.slice(0, 1000);
}

type Outcome = { applied: AppliedChange; replayed: boolean };

/**
 * Beyond the sender binding (importPackage, sender-binding.ts, already passed here): an
 * organization of this hub changes its dispatches itself (REST, or importing its own package)
 * or through a hub_admin, never through a recipient relaying a package its seal signed: a
 * recall or replacement is the sender's act on this hub, and a relayed copy could be an old
 * package replayed. Senders from outside the hub (external organizations) reach it through
 * packages only, like their new documents.
 */
function checkChangeCaller(p: Principal, sender: OrgDoc): void {
  if (sender.external || hasRole(p, 'hub_admin') || p.orgId === String(sender._id)) return;
  throw new AppError(
    'FORBIDDEN',
    `EDXML_SENDER_ONLY: ${MH}/edXML:From/edXML:OrganId: ${sender.code} là cơ quan trên trục; chỉ chính cơ quan đó (hoặc quản trị trục) mới nhập được gói thu hồi, cập nhật hoặc thay thế văn bản của mình.`,
    { reason: 'EDXML_SENDER_ONLY', element: `${MH}/edXML:From/edXML:OrganId` },
  );
}

/**
 * What the package still has to change, or what it changed before: found in the ledger, or
 * already carried by every delivery it names. All checks happen here, before any write.
 */
async function planOf(
  ctx: HubContext,
  pkg: ParsedPackage,
  originals: Original[],
  local: OrgDoc[],
  digest: string,
): Promise<{ outcome: Outcome } | { targets: Target[] }> {
  const before = await appliedBefore(ctx, digest);
  if (before) return { outcome: { applied: before, replayed: true } };
  const { known, pending } = await targetsOf(ctx, pkg, originals, local);
  if (pending.every((t) => t.dispatches.size === 0)) {
    return { outcome: { applied: appliedOf(pkg, known), replayed: true } };
  }
  if (pkg.bussiness.docType === 1) return { targets: pending };
  const targets = await updatable(ctx, pending, mainPdf(pkg));
  await checkKeptAttachments(pkg, ctx, targets);

  return { targets };
}

/** What the import did, and where the deliveries to the package's recipients stand now. */
async function resultOf(
  ctx: HubContext,
  pkg: ParsedPackage,
  outcome: Outcome,
  sender: OrgDoc,
  recipients: { found: OrgDoc[]; skipped: string[] },
  checks: { xmlSignature: ImportResult['xmlSignature']; pdfSignatures: PdfCheck[] },
): Promise<ImportResult> {
  const type = pkg.bussiness.docType as 1 | 2 | 3;
  const dispatchIds = outcome.applied.originals.flatMap((o) => o.dispatchIds);
  const deliveries = await Deliveries(ctx.db.conn)
    .find({
      dispatchId: { $in: dispatchIds.map((i) => new Types.ObjectId(i)) },
      recipientOrgId: { $in: recipients.found.map((o) => o._id) },
    })
    .lean();
  const codeOf = new Map(recipients.found.map((o) => [String(o._id), o.code]));
  const versionId = outcome.applied.originals[0]!.versionId;

  return {
    bussinessDocType: type,
    documentId: outcome.applied.originals[0]!.documentId,
    dispatchId: dispatchIds[0] ?? null,
    replayed: outcome.replayed,
    sender: {
      id: String(sender._id),
      code: sender.code,
      external: sender.external,
      created: false,
    },
    deliveries: deliveries.map((d) => presentImported(d, codeOf)),
    skippedRecipients: recipients.skipped,
    ...checks,
    attachments: versionId ? (await attachmentsOf(ctx, versionId)).map(presentAttachment) : [],
    ignoredAttachments: type === 1 ? pkg.attachments.map((a) => a.name) : [],
    change: { kind: KIND[type], reason: reasonOf(pkg), originals: outcome.applied.originals },
  };
}

/**
 * BussinessDocType 1 (revocation), 2 (update), 3 (replacement): the original documents are
 * found (and must be the sender's), then each dispatch of them to the package's recipients here
 * gets the hub's recall, or the package's PDF as a new version with an update (2) or replace (3)
 * request; every recipient answers 15 or 16 as with the REST API. Every check runs before the
 * first write; the same package again changes nothing.
 */
export async function importChange(
  ctx: HubContext,
  p: Principal,
  pkg: ParsedPackage,
  signed: Signed,
): Promise<ImportResult> {
  const originals = await resolveOriginals(ctx, pkg);
  const sender = originals[0]!.owner;
  checkChangeCaller(p, sender);
  const recipients = await localRecipients(ctx, pkg, sender);
  const pdfSignatures = await checkPdfSignatures(ctx, pkg.attachments);
  const plan = await planOf(ctx, pkg, originals, recipients.found, signed.digest);
  const outcome =
    'outcome' in plan
      ? plan.outcome
      : await applyOnce(ctx, signed.digest, () =>
          apply(ctx, senderPrincipal(p, sender), pkg, plan.targets, reasonOf(pkg)),
        );

  return resultOf(ctx, pkg, outcome, sender, recipients, {
    xmlSignature: signed.xmlSignature,
    pdfSignatures,
  });
}
