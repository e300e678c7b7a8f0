import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import { ZSignRequest } from '../../contracts/signing.js';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
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
      async ({ principal, params, body, res }) => {
        const doc = await signDocument(ctx, principal, params.id, body);
        res.status(201);

        return doc;
      },
    ),
  );

  return r;
}
