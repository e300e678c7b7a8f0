/**
 * Certificate path building from the signer to a trust anchor. Intermediates may come from the
 * CMS, the DSS, the trust lists' intermediates or the anchors themselves; every link is checked
 * with Node's native X.509 verify. A chain is trusted only when it ends at an anchor, never at
 * an intermediate, and it is reported with the name of the trust list that holds its anchor.
 */
import { LibraryError } from '../../errors/library-error.js';
import { Cert, parseCertificates } from '../pki/x509.js';

/** A named trust list: anchors end chains; intermediates only help build them. */
export interface TrustListInput {
  name: string;
  anchors: Uint8Array[];
  intermediates?: Uint8Array[];
}

/** The list name reports give to plain trust anchors (what the user passed with --trust). */
export const EXTRA_TRUST_LIST = 'extra';

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

/**
 * The store for plain anchors (DER or PEM, list "extra") and named lists. A certificate named by
 * two lists keeps the first one's name (the hub's own root before a copy in TRUST_DIR). An input
 * that holds no certificate is refused: a typo in --trust must not silently trust nothing.
 */
export function trustStoreOf(inputs: Uint8Array[], lists: TrustListInput[] = []): TrustStore {
  const store = { anchors: [] as Cert[], intermediates: [] as Cert[], lists: new Map() };
  const anchor = (cert: Cert, list: string) => {
    if (!store.lists.has(cert.sha256)) store.lists.set(cert.sha256, list);
    store.anchors.push(cert);
  };
  for (const list of lists) {
    for (const der of list.anchors) parseCertificates(der).forEach((c) => anchor(c, list.name));
    for (const der of list.intermediates ?? []) store.intermediates.push(...parseCertificates(der));
  }
  inputs.forEach((input, i) => {
    const certs = parseCertificates(input);
    if (certs.length === 0)
      throw new LibraryError(
        'TRUST_ANCHOR_INVALID',
        `Trust anchor #${i + 1} holds no readable X.509 certificate (DER or PEM expected).`,
      );
    certs.forEach((c) => anchor(c, EXTRA_TRUST_LIST));
  });
  return store;
}
