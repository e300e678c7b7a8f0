import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { IncrementalUpdate } from '../pdf/incremental-writer.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { CatalogEditor } from '../pdf/signature-field.js';
import { listSignatures } from '../pdf/signatures.js';
import {
  ltCoverage,
  subjectLine,
  timestampCertificates,
  type CoveredPair,
  type IssuerFinder,
  type LtCoverage,
} from './lt-chains.js';
import type { RevocationData, RevocationProvider } from './options.js';
import { PadesError } from './pades-error.js';

const N = (n: string): PDFName => PDFName.of(n);

export type DssInput = {
  signerChain: Uint8Array[];
  /** The signature's time-stamp token(s): their TSA chains need revocation data too. */
  timestampTokens?: Uint8Array[];
  /**
   * Where OCSP responses / CRLs come from. Given, every non-anchor certificate of the signer's
   * and the TSA's chains must get some, or addDss fails closed; absent, /DSS holds certificates only.
   */
  revocation?: RevocationProvider;
  /** Where to look for an issuer certificate neither chain holds (AIA caIssuers). */
  findIssuer?: IssuerFinder;
};

/**
 * VRI key: uppercase hex SHA-1 of the signature's /Contents bytes exactly as stored (the DER CMS
 * followed by the placeholder's zero padding), as iText and EU DSS compute it.
 */
export function vriKey(contents: Uint8Array): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

async function collectRevocation(
  pairs: CoveredPair[],
  provider?: RevocationProvider,
): Promise<Required<RevocationData>> {
  const out = { ocsp: [] as Uint8Array[], crls: [] as Uint8Array[] };
  if (!provider) return out;
  const seen = new Set<string>();
  const once = (list: Uint8Array[], items: Uint8Array[] = []) => {
    for (const item of items) {
      const key = createHash('sha256').update(item).digest('hex');
      if (!seen.has(key)) list.push(item);
      seen.add(key);
    }
  };
  for (const { cert, issuer } of pairs) {
    const data = await provider(cert, issuer);
    if (!data.ocsp?.length && !data.crls?.length)
      throw new PadesError(
        'PADES_REVOCATION_UNAVAILABLE',
        `Không có dữ liệu thu hồi (OCSP/CRL) cho chứng thư "${subjectLine(cert)}": không thể tạo chữ ký B-LT/B-LTA.`,
      );
    once(out.ocsp, data.ocsp);
    once(out.crls, data.crls);
  }
  return out;
}

const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function unique(items: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return items.filter((b) => !seen.has(digest(b)) && seen.add(digest(b)));
}

/** Every certificate a signature or time-stamp already in the file carries in its CMS. */
function earlierCertificates(file: PdfFile): Uint8Array[] {
  return listSignatures(file)
    .slice(0, -1)
    .flatMap((s) => {
      try {
        return timestampCertificates(s.contents);
      } catch {
        return []; // a foreign signature we cannot parse gets no validation data from us
      }
    });
}

/**
 * Validation data for the document's earlier signatures (a leader's B-B signature under the
 * clerk's B-LTA seal), so that they too stay verifiable offline, as EU DSS's augmentation to LT
 * does. Best effort: an earlier signer's unreachable responder must not block this signature.
 */
async function earlierValidationData(
  file: PdfFile,
  own: LtCoverage,
  input: DssInput,
): Promise<{ certs: Uint8Array[]; ocsp: Uint8Array[]; crls: Uint8Array[] }> {
  const out = { certs: [] as Uint8Array[], ocsp: [] as Uint8Array[], crls: [] as Uint8Array[] };
  const certs = earlierCertificates(file);
  if (certs.length === 0) return out;
  const coverage = await ltCoverage(
    certs.map((c) => [c]),
    { strict: false, ...(input.findIssuer ? { findIssuer: input.findIssuer } : {}) },
  ).catch(() => undefined);
  if (!coverage) return out;
  out.certs = coverage.certs;
  if (!input.revocation) return out;
  const done = new Set(own.pairs.map((p) => digest(p.cert)));
  for (const pair of coverage.pairs.filter((p) => !done.has(digest(p.cert)))) {
    const data = await input.revocation(pair.cert, pair.issuer).catch(() => undefined);
    out.ocsp.push(...(data?.ocsp ?? []));
    out.crls.push(...(data?.crls ?? []));
  }
  return out;
}

/** Existing DSS copied (so we only ever append) or a fresh one. */
function dssDict(file: PdfFile, update: IncrementalUpdate, catalog: CatalogEditor): PDFDict {
  const ctx = file.context;
  const raw = catalog.current.get(N('DSS'));
  const existing = ctx.lookup(raw);
  const dss = existing instanceof PDFDict ? existing.clone(ctx) : ctx.obj({ Type: 'DSS' });
  const ref = raw instanceof PDFRef ? raw : update.allocate();
  update.set(ref, dss);
  if (!(raw instanceof PDFRef)) catalog.edit().set(N('DSS'), ref);
  return dss;
}

function appendArray(file: PdfFile, dict: PDFDict, key: string, refs: PDFRef[]): void {
  if (refs.length === 0) return;
  const existing = file.context.lookup(dict.get(N(key)));
  const arr = existing instanceof PDFArray ? existing.clone(file.context) : file.context.obj([]);
  for (const r of refs) arr.push(r);
  dict.set(N(key), arr);
}

function streams(file: PdfFile, update: IncrementalUpdate, items: Uint8Array[]): PDFRef[] {
  return items.map((bytes) => {
    const ref = update.allocate();
    update.set(ref, file.context.flateStream(bytes));
    return ref;
  });
}

/** PAdES B-LT: an incremental update adding /DSS (certificates, OCSP, CRL, VRI) for the last signature. */
export async function addDss(pdf: Uint8Array, input: DssInput): Promise<Uint8Array> {
  return withPdf(pdf, (file) => addDssTo(file, input));
}

async function addDssTo(file: PdfFile, input: DssInput): Promise<Uint8Array> {
  const last = listSignatures(file).at(-1);
  if (!last || last.contents.length === 0)
    throw new PadesError(
      'PADES_NO_SIGNATURE',
      'The PDF has no signature to add validation data for.',
    );
  // every certificate of a token starts a walk of its own: the TSA's is among them
  const tsaCerts = (input.timestampTokens ?? []).flatMap(timestampCertificates);
  const chains = [input.signerChain, ...tsaCerts.map((c) => [c])];
  const coverage = await ltCoverage(chains, {
    strict: input.revocation !== undefined,
    ...(input.findIssuer ? { findIssuer: input.findIssuer } : {}),
  });
  const revocation = await collectRevocation(coverage.pairs, input.revocation);
  const earlier = await earlierValidationData(file, coverage, input);
  const update = new IncrementalUpdate(file);
  const catalog = new CatalogEditor(file);
  const dss = dssDict(file, update, catalog);
  const certs = streams(file, update, unique([...coverage.certs, ...earlier.certs]));
  const ocsps = streams(file, update, unique([...revocation.ocsp, ...earlier.ocsp]));
  const crls = streams(file, update, unique([...revocation.crls, ...earlier.crls]));
  appendArray(file, dss, 'Certs', certs);
  appendArray(file, dss, 'OCSPs', ocsps);
  appendArray(file, dss, 'CRLs', crls);
  const vri = file.context.obj({});
  vri.set(N('Cert'), file.context.obj(certs));
  if (ocsps.length) vri.set(N('OCSP'), file.context.obj(ocsps));
  if (crls.length) vri.set(N('CRL'), file.context.obj(crls));
  const existingVri = file.context.lookup(dss.get(N('VRI')));
  const vriMap =
    existingVri instanceof PDFDict ? existingVri.clone(file.context) : file.context.obj({});
  vriMap.set(N(vriKey(last.contents)), vri);
  dss.set(N('VRI'), vriMap);
  catalog.flush(update);
  return update.write().bytes;
}
