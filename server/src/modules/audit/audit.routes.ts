import { Router } from 'express';
import { auditApi as api, type TAuditVerify } from '../../contracts/audit.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import { hasRole } from '../../http/principal.js';
import { AuditLog, type AuditDoc } from './audit.model.js';
import { GENESIS_HASH, checkChain } from './chain.js';

function present(e: AuditDoc) {
  const { _id, ...rest } = e;
  void _id;

  return { ...rest, at: e.at.toISOString() };
}

/** Recomputes the whole chain in seq order, a batch at a time. */
async function verifyChain(ctx: HubContext): Promise<TAuditVerify> {
  let start = { seq: 0, hash: GENESIS_HASH };
  let total = 0;
  for (;;) {
    const batch = await AuditLog(ctx.db.conn)
      .find({ seq: { $gt: start.seq } })
      .sort({ seq: 1 })
      .limit(5000)
      .lean();
    const r = checkChain(batch, start);
    if (!r.ok) return { ok: false, count: total + r.count, brokenAt: r.brokenAt, reason: r.reason };
    total += r.count;
    if (batch.length < 5000) return { ok: true, count: total, lastHash: r.lastHash };
    start = { seq: batch.at(-1)!.seq, hash: r.lastHash };
  }
}

export function auditRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.list, async ({ principal, query }) => {
    const filter: Record<string, unknown> = {};
    if (!hasRole(principal, 'auditor', 'hub_admin')) filter.orgIds = principal.orgId;
    if (query.before) filter.seq = { $lt: query.before };
    if (query.action) filter.action = query.action;
    if (query.targetId) filter['target.id'] = query.targetId;
    const items = await AuditLog(ctx.db.conn)
      .find(filter)
      .sort({ seq: -1 })
      .limit(query.limit)
      .lean();

    return {
      items: items.map(present),
      nextBefore: items.length === query.limit ? items.at(-1)!.seq : null,
    };
  });
  serve(r, api.verify, () => verifyChain(ctx));

  return r;
}
