import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { pkiApi as api } from '../../contracts/pki.js';
import type { HubContext } from '../../context.js';
import { perAddressLimit } from '../../http/limits.js';
import { serve } from '../../http/route.js';
import { ocspRequestFromGetPath, summarizeTrustList, toPem } from '../../lib/pki/index.js';
import { hubPki } from './hub-hierarchy.js';
import { trustLists } from './trust.js';
import { CRL_CACHE_MS, hubCrl, hubOcspAnswer, hubTsaAnswer } from './responders.js';

const RAW = express.raw({
  type: ['application/ocsp-request', 'application/timestamp-query', 'application/octet-stream'],
  limit: '64kb',
});

/** The raw request body; anything the raw parser did not take counts as empty (→ protocol error). */
function rawBody(req: Request): Uint8Array {
  return Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
}

function send(res: Response, type: string, body: Uint8Array, maxAge = 0): void {
  res
    .status(200)
    .type(type)
    .setHeader('cache-control', maxAge > 0 ? `public, max-age=${maxAge}` : 'no-store');
  res.end(Buffer.from(body));
}

type Handler = (req: Request, res: Response) => Promise<void>;

/** Requests per minute from one address to /pki/* unless PKI_RATE_LIMIT says otherwise. */
export const PKI_RATE_LIMIT_DEFAULT = 600;

function pkiRateLimitPerMinute(): number {
  const n = Number(process.env.PKI_RATE_LIMIT);

  return Number.isInteger(n) && n > 0 ? n : PKI_RATE_LIMIT_DEFAULT;
}

/**
 * The public responders sign on every OCSP/TSA request (CPU) and need no login, so one address
 * gets a bounded number of requests a minute (same style as http/limits.ts; IPv6 grouped by
 * /56). The hub's own signing and validation call the responders in-process, not through this.
 */
function pkiRateLimit(): RequestHandler {
  return perAddressLimit(pkiRateLimitPerMinute(), 'yêu cầu dịch vụ PKI');
}

// Responders never throw by design; anything else is still answered, not left hanging.
const safe =
  (h: Handler) =>
  (req: Request, res: Response, next: (err?: unknown) => void): void => {
    h(req, res).catch(next);
  };

/** Public PKI endpoints (no login): CA certificates, CRL, OCSP responder, TSA. */
export function pkiPublicRoutes(ctx: HubContext): Router {
  const r = Router();
  r.use(pkiRateLimit());
  for (const [e, which, format] of [
    [api.rootPem, 'root', 'pem'],
    [api.rootCer, 'root', 'der'],
    [api.issuingPem, 'issuing', 'pem'],
    [api.issuingCer, 'issuing', 'der'],
  ] as const) {
    serve(r, e, async ({ res }) => {
      const der = (await hubPki(ctx))[which].certificate;
      send(res, e.returns.types[0], format === 'pem' ? Buffer.from(toPem(der)) : der, 3600);
    });
  }
  for (const [e, which] of [
    [api.crl, 'issuing'],
    // the root's CRL, named by the CRL distribution point of every certificate the root issues
    [api.rootCrl, 'root'],
  ] as const) {
    serve(r, e, async ({ res }) =>
      send(res, e.returns.types[0], await hubCrl(ctx, which), CRL_CACHE_MS / 1000),
    );
  }
  // Which certificates validation trusts, by named list (public data: no certificate is secret).
  serve(r, api.trustLists, async ({ res }) => {
    res.setHeader('cache-control', 'no-store');

    return { lists: (await trustLists(ctx)).map(summarizeTrustList) };
  });
  serve(
    r,
    api.ocsp,
    async ({ req, res }) =>
      send(res, api.ocsp.returns.types[0], await hubOcspAnswer(ctx, rawBody(req))),
    { before: [RAW] },
  );
  // RFC 6960 §A.1 GET: base64 may contain "/", so take the raw rest of the path ourselves
  // (an express route parameter would throw on a malformed %-escape before we could answer).
  r.use(
    '/ocsp/',
    safe(async (req, res) => {
      if (req.method !== 'GET') return void res.status(405).end();
      const answer = await hubOcspAnswer(ctx, ocspRequestFromGetPath(req.url.slice(1)));
      send(res, api.ocsp.returns.types[0], answer, 60);
    }),
  );
  serve(
    r,
    api.tsa,
    async ({ req, res }) =>
      send(res, api.tsa.returns.types[0], await hubTsaAnswer(ctx, rawBody(req))),
    { before: [RAW] },
  );

  return r;
}
