import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import {
  ZPlacementQuery,
  ZSignRequest,
  ZSigningSessionComplete,
  ZSigningSessionCreate,
} from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { idempotencyKey, markCreated } from '../../http/idempotency.js';
import { route } from '../../http/route.js';
import { completeSigningSession, openSigningSession } from './external-signing.js';
import { proposeSignaturePlacement } from './placement.js';
import { signDocument } from './sign-document.js';

const SIGNERS = ['signer', 'clerk'] as const;
const ZId = z.object({ id: ZObjectId }).strict();

/** Mounted under /api/v1/documents, next to the documents module's own routes. */
export function documentSigningRoutes(ctx: HubContext): Router {
  const r = Router();
  r.post(
    '/:id/signatures',
    route(
      { roles: [...SIGNERS], params: ZId, body: ZSignRequest },
      async ({ principal, params, body, req, res }) => {
        const { replayed, ...doc } = await signDocument(
          ctx,
          principal,
          params.id,
          body,
          idempotencyKey(req.header('idempotency-key')),
        );
        markCreated(res, replayed);

        return doc;
      },
    ),
  );
  r.get(
    '/:id/signature-placement',
    route(
      { roles: [...SIGNERS], params: ZId, query: ZPlacementQuery },
      ({ principal, params, query }) => proposeSignaturePlacement(ctx, principal, params.id, query),
    ),
  );
  r.post(
    '/:id/signing-sessions',
    route(
      { roles: [...SIGNERS], params: ZId, body: ZSigningSessionCreate },
      async ({ principal, params, body, res }) => {
        const session = await openSigningSession(ctx, principal, params.id, body);
        res.status(201);

        return session;
      },
    ),
  );

  return r;
}

/** Mounted under /api/v1/signing-sessions. */
export function signingSessionRoutes(ctx: HubContext): Router {
  const r = Router();
  r.put(
    '/:id',
    route(
      { roles: [...SIGNERS], params: ZId, body: ZSigningSessionComplete },
      ({ principal, params, body }) =>
        completeSigningSession(ctx, principal, params.id, body.signature),
    ),
  );

  return r;
}
