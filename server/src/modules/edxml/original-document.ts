import type { HubContext } from '../../context.js';
import { parseDocumentId, type ParsedPackage } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import { Documents, type DocumentDoc } from '../documents/index.js';
import { findOrg, type OrgDoc } from '../orgs/index.js';

/** An edXML DocumentId and the element it was read from (errors name it). */
export type DocumentRef = { documentId: string; path: string };

export type Original = { ref: DocumentRef; doc: DocumentDoc; owner: OrgDoc };

const MH = 'edXML:MessageHeader';
const BUSSINESS = 'edXML:TraceHeaderList/edXML:Bussiness';

/**
 * A document of this hub by its edXML DocumentId `{sender code},{date},{số}/{ký hiệu}`: the
 * organization with that code and its document with that number, notation and issue date.
 * A malformed id is a 422 naming the element; an unknown one is null.
 */
export async function findByDocumentId(
  ctx: HubContext,
  ref: DocumentRef,
): Promise<{ doc: DocumentDoc; owner: OrgDoc } | null> {
  const id = parseDocumentId(ref.documentId, ref.path);
  const owner = await findOrg(ctx, { code: id.organId });
  const number = Number(id.number);
  if (!owner || !Number.isInteger(number)) return null;
  const doc = await Documents(ctx.db.conn)
    .findOne({
      orgId: owner._id,
      'meta.number': number,
      'meta.notation': id.notation.normalize('NFC'),
      'meta.issueDate': id.date,
    })
    .lean();

  return doc ? { doc, owner } : null;
}

/**
 * Where a revocation, update or replacement names the document it changes. Bussiness/DocumentId
 * and (for a replacement) ReplacementInfo/DocumentId are explicit and binding. Without them the
 * package repeats the header of the document it changes (VNPT SDK samples), or answers it
 * (ResponseFor): those are tried in that order.
 */
function originalRefs(pkg: ParsedPackage): { explicit: DocumentRef[]; implicit: DocumentRef[] } {
  const b = pkg.bussiness;
  const explicit: DocumentRef[] = b.documentId
    ? [{ documentId: b.documentId, path: `${BUSSINESS}/edXML:DocumentId` }]
    : [];
  (b.docType === 3 ? (b.replacements ?? []) : []).forEach((r, i) =>
    explicit.push({
      documentId: r.documentId,
      path: `${BUSSINESS}/edXML:ReplacementInfoList/edXML:ReplacementInfo[${i + 1}]/edXML:DocumentId`,
    }),
  );
  const implicit: DocumentRef[] = [
    { documentId: pkg.header.documentId, path: `${MH}/edXML:DocumentId` },
    ...pkg.header.responseFor.map((r, i) => ({
      documentId: r.documentId,
      path: `${MH}/edXML:ResponseFor[${i + 1}]/edXML:DocumentId`,
    })),
  ];

  return { explicit, implicit };
}

function unknownOriginal(ref: DocumentRef): AppError {
  return new AppError(
    'NOT_FOUND',
    `EDXML_UNKNOWN_ORIGINAL: ${ref.path}: văn bản gốc "${ref.documentId}" không có trên trục (chưa từng được gửi hoặc nhập qua trục).`,
    { reason: 'EDXML_UNKNOWN_ORIGINAL', element: ref.path },
  );
}

/** Only the organization that issued a document may revoke, update or replace it. */
function checkSender(pkg: ParsedPackage, originals: Original[]): void {
  const from = pkg.header.from.organId;
  const foreign = originals.find((o) => o.owner.code !== from);
  if (!foreign) return;
  throw new AppError(
    'FORBIDDEN',
    `EDXML_NOT_ORIGINAL_SENDER: ${MH}/edXML:From/edXML:OrganId: gói do ${from} gửi, nhưng văn bản gốc "${foreign.ref.documentId}" do ${foreign.owner.code} ban hành; chỉ cơ quan ban hành mới thu hồi, cập nhật hoặc thay thế được văn bản.`,
    { reason: 'EDXML_NOT_ORIGINAL_SENDER', element: `${MH}/edXML:From/edXML:OrganId` },
  );
}

/**
 * The documents a change package (BussinessDocType 1–3) changes, each one of this hub, issued
 * by the package's sender. Unknown → 404 naming the element that named it; issued by another
 * organization → 403. Nothing is written.
 */
export async function resolveOriginals(ctx: HubContext, pkg: ParsedPackage): Promise<Original[]> {
  const { explicit, implicit } = originalRefs(pkg);
  const found: Original[] = [];
  for (const ref of explicit) {
    const hit = await findByDocumentId(ctx, ref);
    if (!hit) throw unknownOriginal(ref);
    if (!found.some((o) => String(o.doc._id) === String(hit.doc._id))) found.push({ ref, ...hit });
  }
  for (const ref of found.length ? [] : implicit) {
    const hit = await findByDocumentId(ctx, ref);
    // an answer to another agency's document is not what this sender can change
    if (hit && hit.owner.code === pkg.header.from.organId) {
      found.push({ ref, ...hit });
      break;
    }
  }
  if (found.length === 0) throw unknownOriginal(implicit[0]!);
  checkSender(pkg, found);

  return found;
}
