import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFName, PDFRef } from 'pdf-lib';
import { IncrementalUpdate } from '../pdf/incremental-writer.js';
import { withPdf } from '../pdf/lazy-pdf-file.js';
import type { PdfFile } from '../pdf/pdf-file.js';
import { CatalogEditor } from '../pdf/signature-field.js';
import { listSignatures } from '../pdf/signatures.js';
import type { RevocationData, RevocationProvider } from './options.js';
import { PadesError } from './pades-error.js';

const N = (n: string): PDFName => PDFName.of(n);

export type DssInput = { signerChain: Uint8Array[]; revocation?: RevocationProvider };

/**
 * VRI key: uppercase hex SHA-1 of the signature's /Contents bytes exactly as stored (the DER CMS
 * followed by the placeholder's zero padding), as iText and EU DSS compute it.
 */
export function vriKey(contents: Uint8Array): string {
  return createHash('sha1').update(contents).digest('hex').toUpperCase();
}

async function collectRevocation(
  chain: Uint8Array[],
  provider?: RevocationProvider,
): Promise<Required<RevocationData>> {
  const out = { ocsp: [] as Uint8Array[], crls: [] as Uint8Array[] };
  if (!provider) return out;
  for (let i = 0; i + 1 < chain.length; i++) {
    const data = await provider(chain[i]!, chain[i + 1]!);
    out.ocsp.push(...(data.ocsp ?? []));
    out.crls.push(...(data.crls ?? []));
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
  const revocation = await collectRevocation(input.signerChain, input.revocation);
  const update = new IncrementalUpdate(file);
  const catalog = new CatalogEditor(file);
  const dss = dssDict(file, update, catalog);
  const certs = streams(file, update, input.signerChain);
  const ocsps = streams(file, update, revocation.ocsp);
  const crls = streams(file, update, revocation.crls);
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
