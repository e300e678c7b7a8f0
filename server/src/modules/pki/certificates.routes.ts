import { Router } from 'express';
import { certificatesApi as api } from '../../contracts/pki.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import {
  certificatePem,
  findCertificate,
  issuePersonalCertificate,
  issueSealCertificate,
  listCertificates,
  presentCertificate,
  revokeCertificate,
} from './certificates.service.js';

/** /api/v1/certificates: issuance, listing, download and revocation. Never any private key. */
export function certificatesRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.list, ({ principal, query }) => listCertificates(ctx, principal, query));
  serve(r, api.issueSeal, async ({ principal, body, res }) => {
    res.status(201);

    return issueSealCertificate(ctx, principal, body);
  });
  serve(r, api.issuePersonal, async ({ principal, body, res }) => {
    res.status(201);

    return issuePersonalCertificate(ctx, principal, body);
  });
  serve(r, api.get, async ({ principal, params }) =>
    presentCertificate(await findCertificate(ctx, principal, params.id)),
  );
  for (const [file, withChain] of [
    [api.pem, false],
    [api.chainPem, true],
  ] as const) {
    serve(r, file, async ({ principal, params, res }) => {
      const pem = await certificatePem(ctx, principal, params.id, withChain);
      res.type('application/x-pem-file').send(pem);
    });
  }
  serve(r, api.revoke, ({ principal, params, body }) =>
    revokeCertificate(ctx, principal, params.id, body.reason),
  );

  return r;
}
