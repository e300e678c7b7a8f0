import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import { ZCertificateListQuery, ZPersonalIssue, ZRevoke, ZSealIssue } from '../../contracts/pki.js';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import {
  certificatePem,
  findCertificate,
  issuePersonalCertificate,
  issueSealCertificate,
  listCertificates,
  presentCertificate,
  revokeCertificate,
} from './certificates.service.js';

const ZId = z.object({ id: ZObjectId }).strict();

/** /api/v1/certificates: issuance, listing, download and revocation. Never any private key. */
export function certificatesRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get(
    '/',
    route({ roles: [], query: ZCertificateListQuery }, ({ principal, query }) =>
      listCertificates(ctx, principal, query),
    ),
  );
  r.post(
    '/seal',
    route(
      { roles: ['hub_admin', 'org_admin'], body: ZSealIssue },
      async ({ principal, body, res }) => {
        res.status(201);

        return issueSealCertificate(ctx, principal, body);
      },
    ),
  );
  // any logged-in user may reach it: the holder submits their own CSR; the service decides
  r.post(
    '/personal',
    route({ roles: [], body: ZPersonalIssue }, async ({ principal, body, res }) => {
      res.status(201);

      return issuePersonalCertificate(ctx, principal, body);
    }),
  );
  r.get(
    '/:id',
    route({ roles: [], params: ZId }, async ({ principal, params }) =>
      presentCertificate(await findCertificate(ctx, principal, params.id)),
    ),
  );
  for (const [file, withChain] of [
    ['certificate.pem', false],
    ['chain.pem', true],
  ] as const) {
    r.get(
      `/:id/${file}`,
      route({ roles: [], params: ZId }, async ({ principal, params, res }) => {
        const pem = await certificatePem(ctx, principal, params.id, withChain);
        res.type('application/x-pem-file').send(pem);
      }),
    );
  }
  r.post(
    '/:id/revoke',
    route(
      { roles: ['hub_admin', 'org_admin'], params: ZId, body: ZRevoke },
      ({ principal, params, body }) => revokeCertificate(ctx, principal, params.id, body.reason),
    ),
  );

  return r;
}
