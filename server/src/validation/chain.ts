/**
 * Certificate path building from the signer to a trust anchor. Intermediates may come from the
 * CMS, the DSS, the trust lists' intermediates or the anchors themselves; every link is checked
 * with Node's native X.509 verify. A chain is trusted only when it ends at an anchor, never at
 * an intermediate, and it is reported with the name of the trust list that holds its anchor.
 */
import { Cert } from './certificates.js';

export interface TrustStore {
  anchors: Cert[];
  /** Certificates that help build chains (e.g. a national list's issuing CAs), never anchors. */
  intermediates?: Cert[];
  /** Anchor sha256 → name of its trust list (national-vgca, national-neac, hub, extra). */
  lists?: Map<string, string>;
}

export interface ChainResult {
  /** signer first, trust anchor last; empty when no path was found. */
  chain: Cert[];
  trusted: boolean;
  /** The trust list of the anchor when trusted, else null. */
  trustList: string | null;
}

const MAX_DEPTH = 10;

function isAnchor(store: TrustStore, cert: Cert): boolean {
  return store.anchors.some((a) => a.sha256 === cert.sha256);
}

function trusted(store: TrustStore, chain: Cert[], anchor: Cert): ChainResult {
  return { chain, trusted: true, trustList: store.lists?.get(anchor.sha256) ?? null };
}

export function buildChain(leaf: Cert, pool: Cert[], store: TrustStore): ChainResult {
  const chain: Cert[] = [leaf];
  const candidates = [...pool, ...(store.intermediates ?? [])];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (isAnchor(store, current)) return trusted(store, chain, current);
    const issuer =
      store.anchors.find((a) => current.issuedBy(a)) ??
      candidates.find(
        (c) =>
          c.sha256 !== current.sha256 &&
          !chain.some((x) => x.sha256 === c.sha256) &&
          current.issuedBy(c),
      );
    if (!issuer) return { chain, trusted: false, trustList: null };
    chain.push(issuer);
    current = issuer;
  }
  return { chain, trusted: false, trustList: null };
}

/** Trust anchors from DER or PEM inputs; inputs that hold no certificate are reported by the caller. */
export function trustStoreFrom(inputs: Uint8Array[], parse: (b: Uint8Array) => Cert[]): TrustStore {
  return { anchors: inputs.flatMap(parse) };
}
