/**
 * Which certificates a B-LT signature must carry revocation data for: every certificate of the
 * signer's chain and of the signature time-stamp's TSA chain, except the self-signed roots a
 * relying party trusts as anchors (ETSI EN 319 142-1 §5.4: "the full set of revocation data").
 */
import { X509Certificate } from 'node:crypto';
import { readDer } from '../asn1/index.js';
import { CmsError } from '../cms/cms-error.js';
import { PadesError } from './pades-error.js';

/** One certificate that needs revocation data, with the issuer that vouches for it. */
export type CoveredPair = { cert: Uint8Array; issuer: Uint8Array };

export type LtCoverage = {
  /** Every certificate of both chains, anchors included, each once (for /DSS /Certs). */
  certs: Uint8Array[];
  /** Every non-anchor certificate with its issuer, each once. */
  pairs: CoveredPair[];
};

type Node = { der: Uint8Array; x509: X509Certificate };

const node = (der: Uint8Array): Node => ({ der, x509: new X509Certificate(der) });

function issued(child: Node, parent: Node): boolean {
  try {
    return child.x509.checkIssued(parent.x509) && child.x509.verify(parent.x509.publicKey);
  } catch {
    return false;
  }
}

const selfSigned = (n: Node): boolean => issued(n, n);

/**
 * Certificates embedded in a time-stamp token (ContentInfo of SignedData). Which one is the
 * TSA's does not matter here: each is walked up to its root and covered.
 */
export function timestampCertificates(token: Uint8Array): Uint8Array[] {
  try {
    const signedData = readDer(token).at(1).at(0);
    const certificates = signedData.children().find((el, i) => i > 2 && el.isContext(0));
    return (certificates?.children() ?? []).filter((c) => c.tag === 0x30).map((c) => c.raw);
  } catch (cause) {
    throw new CmsError('CMS_BAD_DER', 'The time-stamp token is not valid DER.', { cause });
  }
}

/** Finds issuer certificates the chains lack (e.g. from the AIA caIssuers URL); [] when none. */
export type IssuerFinder = (cert: Uint8Array) => Promise<Uint8Array[]>;

/**
 * Walks each chain from its first certificate up through `pool` to a self-signed root, asking
 * `findIssuer` for an issuer that is not at hand (a third-party TSA's root is rarely in the
 * signer's PKCS#12). A chain that still stops short cannot be made long-term: refused when
 * `strict` (revocation data is wanted), else the walk just ends there.
 */
export async function ltCoverage(
  chains: Uint8Array[][],
  o: { strict: boolean; findIssuer?: IssuerFinder },
): Promise<LtCoverage> {
  const pool: Node[] = [];
  const add = (der: Uint8Array): Node => {
    const known = pool.find((n) => Buffer.from(n.der).equals(Buffer.from(der)));
    if (known) return known;
    const created = node(der);
    pool.push(created);
    return created;
  };
  const starts = chains.filter((c) => c.length > 0).map((c) => c.map(add)[0]!);
  const pairs: CoveredPair[] = [];
  const covered = new Set<Node>();
  for (const start of starts) {
    for (let current = start; !selfSigned(current) && !covered.has(current);) {
      let issuer = pool.find((n) => n !== current && issued(current, n));
      if (!issuer && o.findIssuer) {
        const found = (await o.findIssuer(current.der)).map(node);
        issuer = found.find((n) => issued(current, n));
        if (issuer) pool.push(issuer);
      }
      if (!issuer && !o.strict) break;
      if (!issuer)
        throw new PadesError(
          'PADES_CHAIN_INCOMPLETE',
          `Thiếu chứng thư của tổ chức cấp cho "${oneLine(current.x509.subject)}" (cấp bởi "${oneLine(current.x509.issuer)}"): không thể lấy dữ liệu thu hồi cho B-LT.`,
        );
      covered.add(current);
      pairs.push({ cert: current.der, issuer: issuer.der });
      current = issuer;
    }
  }

  return { certs: pool.map((n) => n.der), pairs };
}

const oneLine = (name: string): string => name.replace(/\n/g, ', ');

/** The subject of a DER certificate on one line, for error messages. */
export function subjectLine(der: Uint8Array): string {
  return oneLine(new X509Certificate(der).subject);
}
