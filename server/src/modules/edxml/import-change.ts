import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { EdxmlError, type EdxmlAttachment, type ParsedPackage } from '../../edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../auth/principal.js';
import { addVersion } from '../documents/index.js';
import type { DocumentDoc } from '../documents/document.model.js';
import { sha256Hex } from '../documents/document.files.js';
import { Deliveries, Dispatches } from '../exchange/delivery.model.js';
import { recallDispatch, updateDispatch } from '../exchange/sender-changes.js';
import type { OrgDoc } from '../orgs/org.model.js';
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

/** Deliveries of each original, from its issuer, to the package's recipients on this hub. */
async function targetsOf(
  ctx: HubContext,
  pkg: ParsedPackage,
  originals: Original[],
  local: OrgDoc[],
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const original of originals) {
    const deliveries = await Deliveries(ctx.db.conn)
      .find({
        documentId: original.doc._id,
        senderOrgId: original.owner._id,
        recipientOrgId: { $in: concerned(pkg, original, local).map((o) => o._id) },
      })
      .select('dispatchId recipientOrgId')
      .lean();
    const dispatches = new Map<string, string[]>();
    for (const d of deliveries) {
      const key = String(d.dispatchId);
      dispatches.set(key, [...(dispatches.get(key) ?? []), String(d.recipientOrgId)]);
    }
    targets.push({ original, dispatches });
  }
  if (targets.every((t) => t.dispatches.size === 0)) {
    throw new AppError(
      'INVALID_STATE',
      `EDXML_NOT_DELIVERED: ${MH}/edXML:To: văn bản gốc chưa được gửi qua trục đến nơi nhận nào có trong To.`,
      { reason: 'EDXML_NOT_DELIVERED', element: `${MH}/edXML:To` },
    );
  }

  return targets;
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
    const versionId =
      type === 1 ? undefined : await versionFor(ctx, p, t.original.doc, mainPdf(pkg));
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
  const main = type === 1 ? undefined : mainPdf(pkg);

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
    ignoredAttachments: pkg.attachments.filter((a) => a !== main).map((a) => a.name),
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
  const recipients = await localRecipients(ctx, pkg, sender);
  const pdfSignatures = await checkPdfSignatures(ctx, pkg.attachments);
  const before = await appliedBefore(ctx, signed.digest);
  let outcome: Outcome | undefined = before ? { applied: before, replayed: true } : undefined;
  if (!outcome) {
    let targets = await targetsOf(ctx, pkg, originals, recipients.found);
    if (pkg.bussiness.docType !== 1) targets = await updatable(ctx, targets, mainPdf(pkg));
    const principal = senderPrincipal(p, sender);
    outcome = await applyOnce(ctx, signed.digest, () =>
      apply(ctx, principal, pkg, targets, reasonOf(pkg)),
    );
  }

  return resultOf(ctx, pkg, outcome, sender, recipients, {
    xmlSignature: signed.xmlSignature,
    pdfSignatures,
  });
}
