/**
 * Revocation data for B-LT/B-LTA fetched where each certificate says it is published: OCSP from
 * its AIA responder, else the CRL of its CRL distribution point. An answer only counts when it
 * verifies against the issuer and says "good"; anything else fails closed with one line naming
 * the certificate and the URL, so a "long-term" signature is never written without the data.
 */
import { certFromDer, parseCertificates, type Cert } from '../pki/x509.js';
import { OID } from '../asn1/oids.js';
import { ocspRequest } from '../pki/ocsp.js';
import { FETCH_TIMEOUT_MS } from '../validation/online.js';
import { checkCrl, checkOcsp, type RevocationStatus } from '../validation/revocation.js';
import type { RevocationData, RevocationProvider } from './options.js';
import { PadesError } from './pades-error.js';

async function download(url: string, init: RequestInit, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);

  return new Uint8Array(await res.arrayBuffer());
}

/** fetch() says only "fetch failed"; the cause says ECONNREFUSED, a timeout, … */
function why(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; message?: string } };
  const cause = error.cause?.code ?? error.cause?.message;

  return cause ? `${error.message} (${cause})` : error.message;
}

function unavailable(cert: Cert, tried: string[]): PadesError {
  return new PadesError(
    'PADES_REVOCATION_UNAVAILABLE',
    tried.length > 0
      ? `Không lấy được dữ liệu thu hồi cho chứng thư "${cert.subject}" từ ${tried.join('; ')}`
      : `Chứng thư "${cert.subject}" không ghi địa chỉ OCSP (AIA) hay CRL (CRL distribution point): không thể tạo chữ ký B-LT/B-LTA.`,
  );
}

/** good → the data; revoked → refuse to sign; unusable → why, for the next URL or the error. */
function judge(
  status: RevocationStatus | null,
  cert: Cert,
  url: string,
): { ok: true } | { ok: false; why: string } {
  if (!status) return { ok: false, why: 'câu trả lời không hợp lệ hoặc không do bên cấp ký' };
  if (status.status === 'revoked')
    throw new PadesError(
      'PADES_CERT_REVOKED',
      `Chứng thư "${cert.subject}" đã bị thu hồi (${url}); không thể ký.`,
    );
  if (status.status !== 'good') return { ok: false, why: 'trạng thái "unknown"' };

  return { ok: true };
}

/**
 * A RevocationProvider that asks the network: tries every OCSP URL, then every CRL URL, and
 * returns the first answer that verifies and says "good".
 */
export function onlineRevocation(timeoutMs = FETCH_TIMEOUT_MS): RevocationProvider {
  return async (certDer, issuerDer): Promise<RevocationData> => {
    const cert = certFromDer(certDer);
    const issuer = certFromDer(issuerDer);
    const ocspUrls = cert.ocspUrls.filter((u) => /^https?:\/\//i.test(u));
    const crlUrls = cert.crlUrls.filter((u) => /^https?:\/\//i.test(u));
    const tried: string[] = [];
    const attempt = async (url: string, get: () => Promise<RevocationData | string>) => {
      try {
        const got = await get();
        if (typeof got !== 'string') return got;
        tried.push(`${url}: ${got}`);
      } catch (e) {
        if (e instanceof PadesError) throw e;
        tried.push(`${url}: ${why(e)}`);
      }
      return undefined;
    };
    for (const url of ocspUrls) {
      const got = await attempt(url, async () => {
        const body = ocspRequest(cert, issuer);
        const headers = { 'content-type': 'application/ocsp-request' };
        const der = await download(url, { method: 'POST', headers, body }, timeoutMs);
        const verdict = judge(checkOcsp(der, cert, issuer, 'ONLINE'), cert, url);
        return verdict.ok ? { ocsp: [der] } : verdict.why;
      });
      if (got) return got;
    }
    for (const url of crlUrls) {
      const got = await attempt(url, async () => {
        const der = await download(url, { method: 'GET' }, timeoutMs);
        const verdict = judge(checkCrl(der, cert, issuer, 'ONLINE'), cert, url);
        return verdict.ok ? { crls: [der] } : verdict.why;
      });
      if (got) return got;
    }
    throw unavailable(cert, tried);
  };
}

/**
 * Issuer certificates named by a certificate's AIA caIssuers URLs (DER or PEM; RFC 5280
 * §4.2.2.1). Unreachable URLs give nothing: the caller then reports the incomplete chain.
 */
export function caIssuersFromAia(
  timeoutMs = FETCH_TIMEOUT_MS,
): (cert: Uint8Array) => Promise<Uint8Array[]> {
  return async (certDer) => {
    const urls = certFromDer(certDer)
      .accessUrls(OID.adCaIssuers)
      .filter((u) => /^https?:\/\//i.test(u));
    const found: Uint8Array[] = [];
    for (const url of urls) {
      try {
        const bytes = await download(url, { method: 'GET' }, timeoutMs);
        found.push(...parseCertificates(bytes).map((c) => c.der));
      } catch {
        // the next URL, or the caller's one-line error about the missing issuer
      }
    }
    return found;
  };
}
