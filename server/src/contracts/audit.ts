import { z } from 'zod';
import { answer, routes } from './endpoint.js';

export const ZAuditQuery = z
  .object({
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    action: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
  })
  .strict();

/** One row of the hash-chained log. */
export type TAuditEntry = {
  seq: number;
  at: string;
  actor: { id: string; name: string; orgId: string; kind: 'user' | 'api-key' | 'system' };
  action: string;
  /** Organizations concerned: an org admin sees entries naming their organization. */
  orgIds: string[];
  target: { type: string; id: string };
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

export type TAuditVerify =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

export const auditApi = routes('/audit', {
  list: {
    method: 'GET',
    path: '/',
    roles: ['auditor', 'hub_admin', 'org_admin'],
    query: ZAuditQuery,
    returns: answer<{ items: TAuditEntry[]; nextBefore: number | null }>(),
  },
  verify: {
    method: 'GET',
    path: '/verify',
    roles: ['auditor', 'hub_admin'],
    returns: answer<TAuditVerify>(),
  },
});
