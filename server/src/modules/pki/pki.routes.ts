import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { HubContext } from '../../context.js';
import { perAddressLimit } from '../../http/limits.js';
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
  const caFile = (which: 'root' | 'issuing', format: 'pem' | 'der') =>
    safe(async (_req, res) => {
      const der = (await hubPki(ctx))[which].certificate;
      if (format === 'pem')
        return send(res, 'application/x-pem-file', Buffer.from(toPem(der)), 3600);
      send(res, 'application/pkix-cert', der, 3600);
    });
  r.get('/root-ca.pem', caFile('root', 'pem'));
  r.get('/root-ca.cer', caFile('root', 'der'));
  r.get('/issuing-ca.pem', caFile('issuing', 'pem'));
  r.get('/issuing-ca.cer', caFile('issuing', 'der'));
  const crl = (which: 'root' | 'issuing') =>
    safe(async (_req, res) =>
      send(res, 'application/pkix-crl', await hubCrl(ctx, which), CRL_CACHE_MS / 1000),
    );
  r.get('/crl', crl('issuing'));
  // The root's CRL, named by the CRL distribution point of every certificate the root issues.
  r.get('/root-ca.crl', crl('root'));
  // Which certificates validation trusts, by named list (public data: no certificate is secret).
  r.get(
    '/trust-lists',
    safe(async (_req, res) => {
      res.setHeader('cache-control', 'no-store');
      res.json({ lists: (await trustLists(ctx)).map(summarizeTrustList) });
    }),
  );
  r.post(
    '/ocsp',
    RAW,
    safe(async (req, res) =>
      send(res, 'application/ocsp-response', await hubOcspAnswer(ctx, rawBody(req))),
    ),
  );
  // RFC 6960 §A.1 GET: base64 may contain "/", so take the raw rest of the path ourselves
  // (an express route parameter would throw on a malformed %-escape before we could answer).
  r.use(
    '/ocsp/',
    safe(async (req, res) => {
      if (req.method !== 'GET') return void res.status(405).end();
      const answer = await hubOcspAnswer(ctx, ocspRequestFromGetPath(req.url.slice(1)));
      send(res, 'application/ocsp-response', answer, 60);
    }),
  );
  r.post(
    '/tsa',
    RAW,
    safe(async (req, res) =>
      send(res, 'application/timestamp-reply', await hubTsaAnswer(ctx, rawBody(req))),
    ),
  );

  return r;
}
