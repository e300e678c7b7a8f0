import type { HubContext } from '../../context.js';
import {
  answerOcsp,
  answerTimestamp,
  buildCrl,
  POLICY,
  type CertStatus,
  type OcspContext,
  type TsaContext,
} from '../../lib/pki/index.js';
import { hubPki, type HubPki } from './hub-hierarchy.js';
import { IssuedCertificates, nextCounter } from './models.js';

const DAY_MS = 86_400_000;
/** How long one built CRL is served before a fresh one (new number, new thisUpdate) is made. */
export const CRL_CACHE_MS = 60_000;

export type Responders = { ocsp: OcspContext; tsa: TsaContext };

async function lookupStatus(ctx: HubContext, serialHex: string): Promise<CertStatus> {
  const doc = await IssuedCertificates(ctx.db.conn)
    .findOne({ serialHex }, { status: 1, revokedAt: 1, reason: 1 })
    .lean();
  if (!doc) return { status: 'unknown' };
  if (doc.status !== 'revoked') return { status: 'good' };

  return {
    status: 'revoked',
    revokedAt: doc.revokedAt ?? new Date(0),
    // RFC 5280: "unspecified" is better left out than written.
    ...(doc.reason ? { reason: doc.reason } : {}),
  };
}

function build(ctx: HubContext, pki: HubPki): Responders {
  // Time-stamp tokens stay PKCS#1 v1.5 (or ECDSA): OpenSSL's `ts` and many validators are built
  // on PKCS#7, which cannot verify RSASSA-PSS, and a token nobody can check proves nothing.
  const tsaSigner = pki.tsa.signer;

  return {
    ocsp: {
      responder: { certificate: pki.ocsp.certificate, signer: pki.ocsp.signer },
      issuer: pki.issuing.certificate,
      lookup: (serialHex) => lookupStatus(ctx, serialHex),
    },
    tsa: {
      certificate: pki.tsa.certificate,
      signer: tsaSigner,
      chain: [pki.issuing.certificate],
      policy: POLICY.tsaPolicy,
      nextSerial: () => nextCounter(ctx.db.conn, 'tsa-serial'),
    },
  };
}

async function respondersOf(ctx: HubContext): Promise<Responders> {
  const pki = await hubPki(ctx);
  const state = ctx.services.pki;
  if (state.responders?.pki !== pki) state.responders = { pki, built: build(ctx, pki) };

  return state.responders.built;
}

/** RFC 6960 answer from the hub's responder; never throws (malformedRequest / internalError). */
export async function hubOcspAnswer(ctx: HubContext, request: Uint8Array): Promise<Uint8Array> {
  return answerOcsp(request, (await respondersOf(ctx)).ocsp);
}

/** RFC 3161 answer from the hub's TSA; never throws (rejection / systemFailure). */
export async function hubTsaAnswer(ctx: HubContext, query: Uint8Array): Promise<Uint8Array> {
  return answerTimestamp(query, (await respondersOf(ctx)).tsa);
}

export type CachedCrl = { der: Promise<Uint8Array>; until: number };
export type CrlIssuer = 'issuing' | 'root';

async function freshCrl(ctx: HubContext, which: CrlIssuer): Promise<Uint8Array> {
  const pki = await hubPki(ctx);
  const now = new Date();
  // Only end-entity certificates are revoked through the hub; the root's CRL (an ARL) is empty.
  const revoked =
    which === 'root'
      ? []
      : await IssuedCertificates(ctx.db.conn)
          .find(
            { status: 'revoked', notAfter: { $gt: now } },
            { serialHex: 1, revokedAt: 1, reason: 1 },
          )
          .lean();

  return buildCrl({
    issuer: { certificate: pki[which].certificate, signer: pki[which].signer },
    crlNumber: await nextCounter(ctx.db.conn, 'crl-number'),
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + DAY_MS),
    revoked: revoked.map((r) => ({
      serialHex: r.serialHex,
      revokedAt: r.revokedAt ?? now,
      ...(r.reason ? { reason: r.reason } : {}),
    })),
  });
}

/**
 * The current CRL (DER) of the issuing CA (default) or of the root. Built at most once a minute
 * per process, and again right after a revocation made through this process.
 */
export function hubCrl(ctx: HubContext, which: CrlIssuer = 'issuing'): Promise<Uint8Array> {
  const cache = ctx.services.pki.crls;
  const cached = cache[which];
  if (cached && cached.until > Date.now()) return cached.der;
  const der = freshCrl(ctx, which);
  cache[which] = { der, until: Date.now() + CRL_CACHE_MS };
  der.catch(() => delete cache[which]);

  return der;
}

export function forgetCrl(ctx: HubContext): void {
  ctx.services.pki.crls = {};
}
