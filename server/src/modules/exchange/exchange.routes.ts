import { Router } from 'express';
import { z } from 'zod';
import { ZCursorQuery, ZObjectId } from '../../contracts/common.js';
import { ZDispatchCreate, ZInboxQuery, ZRecall, ZStatusChange } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { route } from '../../http/route.js';
import { changeStatus } from './change-status.js';
import { dispatchDocument } from './dispatch-document.js';
import { presentDelivery } from './present.js';
import { getDelivery, getDispatch, inbox, outbox, receipts } from './queries.js';
import { recallDispatch, updateDispatch } from './sender-changes.js';
import { publicReceiptKey } from './receipt-keys.js';
import { SENDER_ROLES } from './transitions.js';

const ZId = z.object({ id: ZObjectId }).strict();
const ZUpdate = z
  .object({
    versionId: ZObjectId,
    reason: z.string().trim().min(3).max(1000),
    replace: z.boolean().default(false),
  })
  .strict();
const RECIPIENT_ROLES = ['clerk', 'org_admin', 'signer', 'enterprise_user', 'auditor'] as const;

export function exchangeRoutes(ctx: HubContext): Router {
  const r = Router();
  r.post(
    '/dispatches',
    route({ roles: SENDER_ROLES, body: ZDispatchCreate }, async ({ principal, body, req, res }) => {
      const { dispatch, replayed } = await dispatchDocument(
        ctx,
        principal,
        body,
        idempotencyKey(req.header('idempotency-key')),
      );
      markCreated(res, replayed);

      return dispatch;
    }),
  );
  r.get(
    '/dispatches/:id',
    route({ roles: [...SENDER_ROLES, 'auditor'], params: ZId }, ({ principal, params }) =>
      getDispatch(ctx, principal, params.id),
    ),
  );
  r.post(
    '/dispatches/:id/recall',
    route({ roles: SENDER_ROLES, params: ZId, body: ZRecall }, ({ principal, params, body }) =>
      recallDispatch(ctx, principal, params.id, body.reason),
    ),
  );
  r.post(
    '/dispatches/:id/update',
    route({ roles: SENDER_ROLES, params: ZId, body: ZUpdate }, ({ principal, params, body }) =>
      updateDispatch(ctx, principal, params.id, body),
    ),
  );
  r.get(
    '/outbox',
    route({ roles: [...SENDER_ROLES, 'signer'], query: ZCursorQuery }, ({ principal, query }) =>
      outbox(ctx, principal, query),
    ),
  );
  r.get(
    '/inbox',
    route({ roles: [...RECIPIENT_ROLES], query: ZInboxQuery }, ({ principal, query }) =>
      inbox(ctx, principal, query),
    ),
  );
  r.get(
    '/deliveries/:id',
    route({ roles: [], params: ZId }, async ({ principal, params }) =>
      presentDelivery(await getDelivery(ctx, principal, params.id)),
    ),
  );
  r.post(
    '/deliveries/:id/status',
    route({ roles: [], params: ZId, body: ZStatusChange }, ({ principal, params, body }) =>
      changeStatus(ctx, principal, params.id, body),
    ),
  );
  r.get(
    '/deliveries/:id/receipts',
    route({ roles: [], params: ZId }, ({ principal, params }) =>
      receipts(ctx, principal, params.id),
    ),
  );
  r.get(
    '/receipt-keys/:kid',
    route(
      { params: z.object({ kid: z.string().regex(/^[\w-]{20,100}$/) }).strict() },
      async ({ params }) => {
        const key = await publicReceiptKey(ctx, params.kid);
        if (!key) throw new AppError('NOT_FOUND', 'Không có khóa này.');

        return { kid: params.kid, jwk: key.export({ format: 'jwk' }) };
      },
    ),
  );

  return r;
}
