/**
 * Online revocation fetching (only with `online: true`): OCSP by POST to the AIA responder,
 * CRL by GET from the distribution point, each with a 10 s timeout.
 */
import { ocspRequest } from '../pki/ocsp.js';
import type { Cert } from '../pki/x509.js';
import type { RevocationData } from './revocation.js';

export const FETCH_TIMEOUT_MS = 10_000;

async function fetchBytes(url: string, init: RequestInit): Promise<Uint8Array> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export interface OnlineResult {
  data: RevocationData;
  failures: { url: string; detail: string }[];
}

export async function fetchRevocation(cert: Cert, issuer: Cert): Promise<OnlineResult> {
  const data: RevocationData = { source: 'ONLINE', ocsps: [], crls: [] };
  const failures: OnlineResult['failures'] = [];
  for (const url of cert.ocspUrls.filter((u) => /^https?:/.test(u))) {
    try {
      const body = ocspRequest(cert, issuer);
      data.ocsps.push(
        await fetchBytes(url, {
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request' },
          body,
        }),
      );
      return { data, failures };
    } catch (e) {
      failures.push({ url, detail: (e as Error).message });
    }
  }
  for (const url of cert.crlUrls.filter((u) => /^https?:/.test(u))) {
    try {
      data.crls.push(await fetchBytes(url, { method: 'GET' }));
      return { data, failures };
    } catch (e) {
      failures.push({ url, detail: (e as Error).message });
    }
  }
  return { data, failures };
}
