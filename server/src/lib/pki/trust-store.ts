import { readCertificateFolder } from './trust-lists.js';
import { hex } from '../asn1/index.js';
import { certFromDer } from './x509.js';

export type TrustedCertificate = {
  der: Uint8Array;
  subject: string;
  skiHex: string;
  isRoot: boolean;
};

/** Canonical text of a Name for lookups: its DER in hex (exact match, as RFC 5280 compares). */
export function nameKey(nameDer: Uint8Array): string {
  return hex(nameDer);
}

function describe(der: Uint8Array, isRoot: boolean): TrustedCertificate {
  const cert = certFromDer(der);

  return {
    der,
    subject: nameKey(cert.subjectName.raw),
    skiHex: hex(cert.keyIdentifier),
    isRoot,
  };
}

/**
 * Certificates the hub trusts (`roots`) or may use to build chains (every PEM in `folder`).
 * `reload()` re-reads the folder, e.g. after an administrator drops in a new CA.
 */
export class TrustStore {
  private entries: TrustedCertificate[] = [];

  private constructor(
    private readonly roots: readonly Uint8Array[],
    private readonly folder: string | undefined,
  ) {}

  static load(options: { folder?: string; roots?: readonly Uint8Array[] }): TrustStore {
    const store = new TrustStore(options.roots ?? [], options.folder);
    store.reload();

    return store;
  }

  reload(): void {
    const entries = this.roots.map((der) => describe(der, true));
    if (this.folder) {
      for (const { der, selfIssued } of readCertificateFolder(this.folder))
        entries.push(describe(der, selfIssued));
    }
    this.entries = entries;
  }

  all(): readonly TrustedCertificate[] {
    return this.entries;
  }

  bySubject(subjectDer: Uint8Array): TrustedCertificate[] {
    const key = nameKey(subjectDer);

    return this.entries.filter((e) => e.subject === key);
  }

  bySki(ski: Uint8Array | string): TrustedCertificate | undefined {
    const key = typeof ski === 'string' ? ski.toLowerCase() : hex(ski);

    return this.entries.find((e) => e.skiHex === key);
  }

  isTrustedRoot(der: Uint8Array): boolean {
    return this.entries.some((e) => e.isRoot && Buffer.from(e.der).equals(Buffer.from(der)));
  }
}
