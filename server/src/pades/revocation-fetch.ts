/**
 * Revocation data for B-LT/B-LTA fetched where each certificate says it is published: OCSP from
 * its AIA responder, else the CRL of its CRL distribution point. An answer only counts when it
 * verifies against the issuer and says "good"; anything else fails closed with one line naming
 * the certificate and the URL, so a "long-term" signature is never written without the data.
 */
import { certFromDer, type Cert } from '../validation/certificates.js';
import { FETCH_TIMEOUT_MS, ocspRequest } from '../validation/online.js';
import { checkCrl, checkOcsp, type RevocationStatus } from '../validation/revocation.js';
import type { RevocationData, RevocationProvider } from './options.js';
import { PadesError } from './pades-error.js';

async function download(url: string, init: RequestInit, timeoutMs: number): Promise<Uint8Array> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);

  return new Uint8Array(await res.arrayBuffer());
}

function problem(cert: Cert, url: string, detail: string): PadesError {
  return new PadesError(
    'PADES_REVOCATION_UNAVAILABLE',
    `Không lấy được dữ liệu thu hồi cho chứng thư "${cert.subject}" từ ${url}: ${detail}`,
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
    let last: PadesError | undefined;
    for (const url of ocspUrls) {
      try {
        const body = ocspRequest(cert, issuer);
        const headers = { 'content-type': 'application/ocsp-request' };
        const der = await download(url, { method: 'POST', headers, body }, timeoutMs);
        const verdict = judge(checkOcsp(der, cert, issuer, 'ONLINE'), cert, url);
        if (verdict.ok) return { ocsp: [der] };
        last = problem(cert, url, verdict.why);
      } catch (e) {
        if (e instanceof PadesError && e.code === 'PADES_CERT_REVOKED') throw e;
        last = problem(cert, url, (e as Error).message);
      }
    }
    for (const url of crlUrls) {
      try {
        const der = await download(url, { method: 'GET' }, timeoutMs);
        const verdict = judge(checkCrl(der, cert, issuer, 'ONLINE'), cert, url);
        if (verdict.ok) return { crls: [der] };
        last = problem(cert, url, verdict.why);
      } catch (e) {
        if (e instanceof PadesError && e.code === 'PADES_CERT_REVOKED') throw e;
        last = problem(cert, url, (e as Error).message);
      }
    }
    throw (
      last ??
      new PadesError(
        'PADES_REVOCATION_UNAVAILABLE',
        `Chứng thư "${cert.subject}" không ghi địa chỉ OCSP (AIA) hay CRL (CRL distribution point): không thể tạo chữ ký B-LT/B-LTA.`,
      )
    );
  };
}
