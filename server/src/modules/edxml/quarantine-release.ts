import type { HubContext } from '../../context.js';
import type { TQuarantine } from '../../contracts/edxml.js';
import { ZOrgCreate } from '../../contracts/orgs.js';
import type { EdxmlOrgan } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { createOrg, findOrg, type OrgDoc } from '../orgs/index.js';
import { importPackage, type ImportResult } from './import-package.js';
import {
  claimQuarantine,
  EdxmlQuarantine,
  presentQuarantine,
  quarantinedXml,
} from './quarantine.js';

const NAME_MAX = 200;

/**
 * Text from a package fit to be shown and exported: NFC, no control or format characters (bidi
 * overrides, zero-width), spaces collapsed, and never starting with `=`, `+`, `-` or `@` (or
 * their full-width forms), which a spreadsheet opening a CSV export would run as a formula
 * (`=HYPERLINK(…)`). Capped at `max` characters.
 */
export function cleanText(raw: string, max: number): string {
  const cleaned = raw
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s=+\-@\uFF1D\uFF0B\uFF0D\uFF20]+/u, '');

  return Array.from(cleaned).slice(0, max).join('').trim();
}

/** The organization name a released sender gets: cleanText, 200 characters, never empty. */
export function safeOrgName(raw: string, code: string): string {
  return cleanText(raw, NAME_MAX) || `Cơ quan ${code}`;
}

/** The sender as an external organization (flagged as such), unless it exists by now. */
async function senderOf(
  ctx: HubContext,
  from: EdxmlOrgan,
): Promise<{ org: OrgDoc; created: boolean }> {
  const existing = await findOrg(ctx, { code: from.organId });
  if (existing) return { org: existing, created: false };
  const address = cleanText(from.organAdd ?? '', 300);
  const phone = cleanText(from.telephone ?? '', 30);
  const input = ZOrgCreate.safeParse({
    code: from.organId,
    name: safeOrgName(from.organName, from.organId),
    kind: 'agency',
    level: 'unit',
    contact: {
      ...(address ? { address } : {}),
      ...(phone ? { phone } : {}),
    },
  });
  if (!input.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Không tạo được cơ quan gửi ${from.organId}: ${input.error.issues[0]!.message}.`,
    );
  }
  let created = true;
  try {
    await createOrg(ctx, input.data, true);
  } catch (err) {
    // created by another release a moment ago: use that one
    if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
    created = false;
  }

  return { org: (await findOrg(ctx, { code: from.organId }))!, created };
}

/**
 * A hub_admin releases a waiting package: the sender is created as an external organization
 * (sanitized name) and the package is imported as if it had just arrived, the release standing
 * in for the sender binding (the admin vouched for an unknown sender; see docs/edxml.md). A
 * failed import puts the package back to pending; an organization created for it stays,
 * flagged external. Audited either way it ends.
 */
export async function releaseQuarantine(
  ctx: HubContext,
  p: Principal,
  id: string,
): Promise<{ quarantine: TQuarantine; import: ImportResult }> {
  const q = await claimQuarantine(ctx, id, 'pending', 'releasing');
  let result: ImportResult;
  let org: { org: OrgDoc; created: boolean };
  try {
    org = await senderOf(ctx, q.header.from);
    const out = await importPackage(ctx, p, await quarantinedXml(ctx, q), { released: true });
    if ('quarantined' in out) throw new Error('a released package went back to quarantine');
    result = out;
  } catch (err) {
    await EdxmlQuarantine(ctx.db.conn).updateOne(
      { _id: q._id, state: 'releasing' },
      { $set: { state: 'pending' } },
    );
    throw err;
  }
  const outcome = {
    orgId: String(org.org._id),
    orgCreated: org.created,
    documentId: result.documentId,
    dispatchId: result.dispatchId,
  };
  const done = await EdxmlQuarantine(ctx.db.conn)
    .findOneAndUpdate(
      { _id: q._id },
      {
        $set: {
          state: 'released',
          decidedBy: actorOf(p),
          decidedAt: new Date(),
          result: outcome,
        },
      },
      { new: true },
    )
    .lean();
  await appendAudit(ctx, {
    actor: actorOf(p),
    action: 'edxml.quarantine.released',
    orgIds: [...new Set([p.orgId, q.submittedBy.orgId, outcome.orgId])],
    target: { type: 'edxml-quarantine', id },
    details: { fromCode: q.header.from.organId, orgName: org.org.name, ...outcome },
  });

  return {
    quarantine: presentQuarantine(done!),
    import: { ...result, sender: { ...result.sender, created: org.created } },
  };
}
