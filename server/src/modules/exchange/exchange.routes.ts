import { Router } from 'express';
import { exchangeApi as api } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { serve } from '../../http/route.js';
import { changeStatus } from './change-status.js';
import { dispatchDocument } from './dispatch-document.js';
import { presentDelivery } from './present.js';
import { getDelivery, getDispatch, inbox, outbox, receipts } from './queries.js';
import { recallDispatch, updateDispatch } from './sender-changes.js';
import { publicReceiptKey } from './receipt-keys.js';

export function exchangeRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.dispatch, async ({ principal, body, req, res }) => {
    const { dispatch, replayed } = await dispatchDocument(
      ctx,
      principal,
      body,
      idempotencyKey(req.header('idempotency-key')),
    );
    markCreated(res, replayed);

    return dispatch;
  });
  serve(r, api.dispatchOf, ({ principal, params }) => getDispatch(ctx, principal, params.id));
  serve(r, api.recall, ({ principal, params, body }) =>
    recallDispatch(ctx, principal, params.id, body.reason),
  );
  serve(r, api.update, ({ principal, params, body }) =>
    updateDispatch(ctx, principal, params.id, body),
  );
  serve(r, api.outbox, ({ principal, query }) => outbox(ctx, principal, query));
  serve(r, api.inbox, ({ principal, query }) => inbox(ctx, principal, query));
  serve(r, api.delivery, async ({ principal, params }) =>
    presentDelivery(await getDelivery(ctx, principal, params.id)),
  );
  serve(r, api.changeStatus, ({ principal, params, body }) =>
    changeStatus(ctx, principal, params.id, body),
  );
  serve(r, api.receipts, ({ principal, params }) => receipts(ctx, principal, params.id));
  serve(r, api.receiptKey, async ({ params }) => {
    const key = await publicReceiptKey(ctx, params.kid);
    if (!key) throw new AppError('NOT_FOUND', 'Không có khóa này.');

    return { kid: params.kid, jwk: key.export({ format: 'jwk' }) };
  });

  return r;
}
