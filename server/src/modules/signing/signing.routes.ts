import { Router } from 'express';
import { signingApi as api } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { serve } from '../../http/route.js';
import { completeSigningSession, openSigningSession } from './external-signing.js';
import { proposeSignaturePlacement } from './placement.js';
import { signDocument } from './sign-document.js';

/** Mounted under /api/v1/documents, next to the documents module's own routes. */
export function documentSigningRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.sign, async ({ principal, params, body, req, res }) => {
    const { replayed, ...doc } = await signDocument(
      ctx,
      principal,
      params.id,
      body,
      idempotencyKey(req.header('idempotency-key')),
    );
    markCreated(res, replayed);

    return doc;
  });
  serve(r, api.placement, ({ principal, params, query }) =>
    proposeSignaturePlacement(ctx, principal, params.id, query),
  );
  serve(r, api.openSession, async ({ principal, params, body, res }) => {
    const session = await openSigningSession(ctx, principal, params.id, body);
    res.status(201);

    return session;
  });

  return r;
}

/** Mounted under /api/v1/signing-sessions. */
export function signingSessionRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.completeSession, ({ principal, params, body }) =>
    completeSigningSession(ctx, principal, params.id, body.signature),
  );

  return r;
}
