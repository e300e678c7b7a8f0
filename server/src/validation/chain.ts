/**
 * Certificate path building from the signer to a trust anchor. Intermediates may come from the
 * CMS, the DSS or the anchors themselves; every link is checked with Node's native X.509 verify.
 */
import { Cert } from './certificates.js';

export interface TrustStore {
  anchors: Cert[];
}

export interface ChainResult {
  /** signer first, trust anchor last; empty when no path was found. */
  chain: Cert[];
  trusted: boolean;
}

const MAX_DEPTH = 10;

function isAnchor(store: TrustStore, cert: Cert): boolean {
  return store.anchors.some((a) => a.sha256 === cert.sha256);
}

export function buildChain(leaf: Cert, pool: Cert[], store: TrustStore): ChainResult {
  const chain: Cert[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isAnchor(store, current)) return { chain, trusted: true };
    const issuer =
      store.anchors.find((a) => current.issuedBy(a)) ??
      pool.find(
        (c) =>
          c.sha256 !== current.sha256 &&
          !chain.some((x) => x.sha256 === c.sha256) &&
          current.issuedBy(c),
      );
    if (!issuer) return { chain, trusted: false };
    chain.push(issuer);
    current = issuer;
  }
  return { chain, trusted: false };
}

/** Trust anchors from DER or PEM inputs; inputs that hold no certificate are reported by the caller. */
export function trustStoreFrom(inputs: Uint8Array[], parse: (b: Uint8Array) => Cert[]): TrustStore {
  return { anchors: inputs.flatMap(parse) };
}
