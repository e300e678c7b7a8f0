/**
 * Named trust lists: the national lists shipped in the repository's `certs/` folder (one folder
 * per list, see certs/README.md), the hub's own root and the operator's extra folder. In a
 * list, self-signed certificates are anchors; every other certificate is an intermediate that
 * helps build chains and never ends one.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sameBytes } from '../asn1/index.js';
import { fingerprintSha256 } from './certificate.js';
import { certFromDer, type Cert } from './x509.js';
import { PkiError } from './errors.js';
import { pemBlocks } from './pem.js';

export const NATIONAL_TRUST_LISTS = ['national-vgca', 'national-neac'] as const;
export const HUB_TRUST_LIST = 'hub';
export const EXTRA_TRUST_LIST = 'extra';

export type NamedTrustList = {
  name: string;
  anchors: Uint8Array[];
  intermediates: Uint8Array[];
};

/**
 * The repository's `certs/` folder: four levels above this module in the sources
 * (server/src/lib/pki) and in the build (build/src/lib/pki, see scripts/build.mjs on import.meta.url).
 */
export function nationalTrustDir(): string {
  return fileURLToPath(new URL('../../../../certs/', import.meta.url));
}

/** Every certificate in the PEM/CRT/CER files of `folder` (sorted by name), in file order. */
export function readCertificateFolder(folder: string): { der: Uint8Array; selfIssued: boolean }[] {
  let files: string[];
  try {
    files = readdirSync(folder)
      .filter((f) => /\.(pem|crt|cer)$/i.test(f))
      .sort();
  } catch (error) {
    throw new PkiError('PKI_TRUST_FOLDER', `Cannot read trust folder ${folder}.`, {
      cause: error,
    });
  }

  return files.flatMap((file) =>
    pemBlocks(readFileSync(join(folder, file), 'latin1')).map((der) => {
      let cert: Cert;
      try {
        cert = certFromDer(der);
      } catch (error) {
        throw new PkiError(
          'PKI_BAD_CERTIFICATE',
          `${join(folder, file)} holds an unreadable certificate.`,
          {
            cause: error,
          },
        );
      }

      return { der, selfIssued: sameBytes(cert.subjectName.raw, cert.issuerName.raw) };
    }),
  );
}

/** Every certificate of `folder` as one list: self-issued ones are its anchors. */
export function loadTrustListFolder(name: string, folder: string): NamedTrustList {
  const list: NamedTrustList = { name, anchors: [], intermediates: [] };
  for (const { der, selfIssued } of readCertificateFolder(folder))
    (selfIssued ? list.anchors : list.intermediates).push(der);

  return list;
}

/** The national lists (national-vgca, national-neac) from `dir` (default: the shipped certs/). */
export function nationalTrustLists(dir = nationalTrustDir()): NamedTrustList[] {
  return NATIONAL_TRUST_LISTS.filter((name) => existsSync(join(dir, name))).map((name) =>
    loadTrustListFolder(name, join(dir, name)),
  );
}

/** Whether the national lists are on: anything but off/false/0/no (case-insensitive) is on. */
export function nationalTrustEnabled(value: string | undefined): boolean {
  return !/^(off|false|0|no)$/i.test((value ?? '').trim());
}

export type TrustListSummary = {
  name: string;
  certificates: { role: 'anchor' | 'intermediate'; subject: string; sha256: string }[];
};

/** What a list holds, for people and for the trust-list endpoint (no certificate bytes). */
export function summarizeTrustList(list: NamedTrustList): TrustListSummary {
  const describe = (role: 'anchor' | 'intermediate') => (der: Uint8Array) => {
    const subject = new X509Certificate(der).subject.replace(/\n/g, ', ');

    return { role, subject, sha256: fingerprintSha256(der) };
  };

  return {
    name: list.name,
    certificates: [
      ...list.anchors.map(describe('anchor')),
      ...list.intermediates.map(describe('intermediate')),
    ],
  };
}
