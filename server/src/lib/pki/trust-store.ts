import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PkiError } from './errors.js';
import { pemBlocks } from './pem.js';
import { hex } from '../asn1/index.js';
import { certificateKeyId, parseCertificate } from './certificate.js';

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
  const cert = parseCertificate(der);

  return {
    der,
    subject: nameKey(new Uint8Array(cert.subject.toSchema().toBER(false))),
    skiHex: hex(certificateKeyId(cert)),
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
    if (this.folder) entries.push(...this.readFolder(this.folder));
    this.entries = entries;
  }

  private readFolder(folder: string): TrustedCertificate[] {
    let names: string[];
    try {
      names = readdirSync(folder)
        .filter((n) => /\.(pem|crt|cer)$/i.test(n))
        .sort();
    } catch (error) {
      throw new PkiError('PKI_TRUST_FOLDER', `Cannot read trust folder ${folder}.`, {
        cause: error,
      });
    }
    const out: TrustedCertificate[] = [];
    for (const name of names) {
      for (const der of pemBlocks(readFileSync(join(folder, name), 'latin1'))) {
        const cert = parseCertificate(der);
        const selfIssued = Buffer.from(cert.subject.toSchema().toBER(false)).equals(
          Buffer.from(cert.issuer.toSchema().toBER(false)),
        );
        out.push(describe(der, selfIssued));
      }
    }

    return out;
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
