/**
 * Signed test PDFs for the validation tests, produced by tools other than the validator:
 * @signpdf (adbe.pkcs7.detached), `openssl cms -sign`, and a small pkijs CMS builder (CAdES
 * attributes, time-stamps from `openssl ts`, revocation archival) embedded through a minimal
 * incremental-update writer written here for tests only.
 */
import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFObject, PDFRef, StandardFonts } from 'pdf-lib';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import type { PkiCert, ValidationPki } from '../../support/validation-pki.js';

export const BR_PLACEHOLDER = '/ByteRange [0 /********** /********** /**********]';
const CONTENTS_HEX_LEN = 32000;

export interface BasePdf {
  bytes: Uint8Array;
  /** Object number of a content stream registered but not used (for hide-and-replace). */
  preparedRef: number | null;
}

export async function basePdf(opts: { prepared?: boolean } = {}): Promise<BasePdf> {
  const doc = await PDFDocument.create();
  doc.setProducer('lienthong-test');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('QUYET DINH so 123/QD-UBND: chi 1.000.000 dong', { x: 50, y: 760, size: 14, font });
  let preparedRef: number | null = null;
  if (opts.prepared) {
    const stream = doc.context.stream(
      'BT /F1 14 Tf 50 760 Td (QUYET DINH so 123/QD-UBND: chi 9.000.000.000 dong) Tj ET',
    );
    preparedRef = doc.context.register(stream).objectNumber;
  }
  return { bytes: await doc.save({ useObjectStreams: false }), preparedRef };
}

/** pdf-lib rewrite with a signature placeholder (first signature only: not incremental). */
export async function withPlaceholder(
  bytes: Uint8Array,
  subFilter = 'adbe.pkcs7.detached',
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes);
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: 'Phê duyệt',
    contactInfo: 'vanthu@thanhhoa.gov.vn',
    name: 'Nguyen Van A',
    location: 'Thanh Hoa',
    signatureLength: CONTENTS_HEX_LEN / 2,
    subFilter,
  });
  return doc.save({ useObjectStreams: false });
}

export async function signWithSignpdf(pki: ValidationPki, cert: PkiCert): Promise<Uint8Array> {
  const placeholder = await withPlaceholder((await basePdf()).bytes);
  const signer = new P12Signer(Buffer.from(pki.p12(cert)), { passphrase: 'test' });
  return new Uint8Array(await new SignPdf().sign(Buffer.from(placeholder), signer));
}

/** Fills the last ByteRange placeholder and its /Contents with the CMS produced over the ranges. */
export async function embedSignature(
  pdf: Uint8Array,
  makeCms: (ranges: Uint8Array[]) => Uint8Array | Promise<Uint8Array>,
): Promise<Uint8Array> {
  const text = Buffer.from(pdf).toString('latin1');
  const match = [...text.matchAll(/\/ByteRange\s*\[\s*0\s+\/\*+\s+\/\*+\s+\/\*+\s*\]/g)].at(-1);
  if (!match || match.index === undefined) throw new Error('no ByteRange placeholder');
  const brAt = match.index;
  const lt = text.indexOf('/Contents <', brAt) + 10;
  const gt = text.indexOf('>', lt);
  const br = [0, lt, gt + 1, pdf.length - gt - 1];
  const brText = `/ByteRange [${br.join(' ')}]`.padEnd(match[0].length, ' ');
  const out = Buffer.from(pdf);
  out.write(brText, brAt, 'latin1');
  out.fill('0', lt + 1, gt, 'latin1');
  const ranges = [out.subarray(0, lt), out.subarray(gt + 1)];
  const cms = Buffer.from(await makeCms(ranges));
  const hex = cms.toString('hex');
  if (hex.length > gt - lt - 1) throw new Error('CMS too large for the placeholder');
  out.write(hex, lt + 1, 'latin1');
  return new Uint8Array(out);
}

export async function signWithOpensslCms(
  pki: ValidationPki,
  cert: PkiCert,
  subFilter = 'adbe.pkcs7.detached',
): Promise<Uint8Array> {
  const placeholder = await withPlaceholder((await basePdf()).bytes, subFilter);
  return embedSignature(placeholder, (ranges) => {
    const data = join(pki.dir, 'ranges.bin');
    writeFileSync(data, Buffer.concat(ranges));
    const out = join(pki.dir, 'sig.p7s');
    execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-outform',
      'DER',
      '-nosmimecap',
      '-md',
      'sha256',
      '-in',
      data,
      '-signer',
      cert.certPath,
      '-inkey',
      cert.keyPath,
      '-certfile',
      join(pki.dir, 'chain.pem'),
      '-out',
      out,
    ]);
    return new Uint8Array(readFileSync(out));
  });
}

// ---------------------------------------------------------------- CMS builder (pkijs + native crypto)

export interface CmsOptions {
  signer: PkiCert;
  chain: PkiCert[];
  pss?: boolean;
  ess?: boolean;
  signingTime?: Date;
  /** Adds a signature time-stamp from the test TSA. */
  tsa?: ValidationPki;
  revocation?: { crls: Uint8Array[]; ocsps: Uint8Array[] };
  wrongDigest?: boolean;
  /** EC signer: BSI TR-03111 plain ECDSA (OID 0.4.0.127.0.7.1.1.4.1.3, value r || s). */
  plainEcdsa?: boolean;
  /** More SignerInfos over the same content; `corrupt` flips a byte of that signature value. */
  extraSigners?: { signer: PkiCert; corrupt?: boolean }[];
  /** Content encapsulated in the CMS (a detached PDF signature must have none). */
  encapsulate?: Uint8Array;
}

const toCert = (der: Uint8Array): pkijs.Certificate =>
  new pkijs.Certificate({ schema: asn1js.fromBER(der).result });
const attr = (type: string, value: asn1js.AsnType): pkijs.Attribute =>
  new pkijs.Attribute({ type, values: [value] });
const SHA256 = (): pkijs.AlgorithmIdentifier =>
  new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' });

function signatureAlgorithm(cert: PkiCert, pss: boolean, plain = false): pkijs.AlgorithmIdentifier {
  const key = createPrivateKey(readFileSync(cert.keyPath));
  if (key.asymmetricKeyType === 'ec' && plain)
    return new pkijs.AlgorithmIdentifier({ algorithmId: '0.4.0.127.0.7.1.1.4.1.3' });
  if (key.asymmetricKeyType === 'ec')
    return new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  if (!pss) return new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.11' });
  const params = new pkijs.RSASSAPSSParams({
    hashAlgorithm: SHA256(),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: '1.2.840.113549.1.1.8',
      algorithmParams: SHA256().toSchema(),
    }),
    saltLength: 32,
  });
  return new pkijs.AlgorithmIdentifier({
    algorithmId: '1.2.840.113549.1.1.10',
    algorithmParams: params.toSchema(),
  });
}

function rawSign(cert: PkiCert, data: Uint8Array, pss: boolean, plain = false): Uint8Array {
  const key = createPrivateKey(readFileSync(cert.keyPath));
  if (key.asymmetricKeyType === 'rsa' && pss)
    return nodeSign('sha256', data, { key, padding: 6, saltLength: 32 });
  if (key.asymmetricKeyType === 'ec' && plain)
    return nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  return nodeSign('sha256', data, key);
}

export function buildCms(ranges: Uint8Array[], o: CmsOptions): Uint8Array {
  const h = createHash('sha256');
  for (const r of ranges) h.update(r);
  const digest = h.digest();
  if (o.wrongDigest) digest[0] = (digest[0] ?? 0) ^ 0xff;
  const extra = (o.extraSigners ?? []).map((e) => {
    const si = buildSignerInfo(digest, { signer: e.signer, chain: [] });
    const value = new Uint8Array(si.signature.valueBlock.valueHexView);
    if (e.corrupt) value[0] = (value[0] ?? 0) ^ 0xff;
    si.signature = new asn1js.OctetString({ valueHex: value });
    return si;
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [SHA256()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: '1.2.840.113549.1.7.1',
      ...(o.encapsulate ? { eContent: new asn1js.OctetString({ valueHex: o.encapsulate }) } : {}),
    }),
    certificates: [
      toCert(o.signer.certDer),
      ...o.chain.map((c) => toCert(c.certDer)),
      ...(o.extraSigners ?? []).map((e) => toCert(e.signer.certDer)),
    ],
    signerInfos: [buildSignerInfo(digest, o), ...extra],
  });
  const ci = new pkijs.ContentInfo({
    contentType: '1.2.840.113549.1.7.2',
    content: signedData.toSchema(true),
  });
  return new Uint8Array(ci.toSchema().toBER(false));
}

function buildSignerInfo(digest: Uint8Array, o: CmsOptions): pkijs.SignerInfo {
  const signerCert = toCert(o.signer.certDer);
  const attrs = [
    attr('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })),
    attr('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: digest })),
  ];
  if (o.signingTime)
    attrs.push(attr('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: o.signingTime })));
  if (o.ess !== false) {
    const certHash = createHash('sha256').update(o.signer.certDer).digest();
    const essV2 = new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash })] })],
        }),
      ],
    });
    attrs.push(attr('1.2.840.113549.1.9.16.2.47', essV2));
  }
  if (o.revocation) {
    const parse = (d: Uint8Array): asn1js.AsnType => asn1js.fromBER(d).result;
    const value: asn1js.AsnType[] = [];
    if (o.revocation.crls.length)
      value.push(
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.Sequence({ value: o.revocation.crls.map(parse) })],
        }),
      );
    if (o.revocation.ocsps.length)
      value.push(
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 1 },
          value: [new asn1js.Sequence({ value: o.revocation.ocsps.map(parse) })],
        }),
      );
    attrs.push(attr('1.2.840.113583.1.1.8', new asn1js.Sequence({ value })));
  }
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: attrs });
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toSign[0] = 0x31;
  const signature = rawSign(o.signer, toSign, o.pss ?? false, o.plainEcdsa);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({
      issuer: signerCert.issuer,
      serialNumber: signerCert.serialNumber,
    }),
    digestAlgorithm: SHA256(),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithm(o.signer, o.pss ?? false, o.plainEcdsa),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  if (o.tsa) {
    const token = o.tsa.timestampToken(createHash('sha256').update(signature).digest());
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [attr('1.2.840.113549.1.9.16.2.14', asn1js.fromBER(token).result)],
    });
  }
  return signerInfo;
}

// ---------------------------------------------------------------- incremental updates (tests only)

export interface NewObject {
  num: number;
  gen?: number;
  body: Uint8Array | string;
}

export function serialize(obj: PDFObject): Uint8Array {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return buf;
}

/** Appends objects + a classic xref section + trailer (/Prev) + %%EOF. */
export async function appendUpdate(bytes: Uint8Array, objects: NewObject[]): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const text = Buffer.from(bytes).toString('latin1');
  const prev = [...text.matchAll(/startxref\s+(\d+)/g)].at(-1)?.[1];
  const parts: Buffer[] = [Buffer.from(bytes), Buffer.from('\n')];
  let offset = bytes.length + 1;
  const entries: [number, number, number][] = [];
  for (const o of objects) {
    const head = Buffer.from(`${o.num} ${o.gen ?? 0} obj\n`, 'latin1');
    const body = typeof o.body === 'string' ? Buffer.from(o.body, 'latin1') : Buffer.from(o.body);
    const chunk = Buffer.concat([head, body, Buffer.from('\nendobj\n')]);
    entries.push([o.num, o.gen ?? 0, offset]);
    parts.push(chunk);
    offset += chunk.length;
  }
  const maxNum = Math.max(doc.context.largestObjectNumber, ...objects.map((o) => o.num));
  let xref = 'xref\n';
  for (const [num, gen, off] of entries.sort((a, b) => a[0] - b[0]))
    xref += `${num} 1\n${String(off).padStart(10, '0')} ${String(gen).padStart(5, '0')} n \n`;
  const { Root, Info } = doc.context.trailerInfo;
  xref += `trailer\n<< /Size ${maxNum + 1} /Root ${Root?.toString()}${Info ? ` /Info ${Info.toString()}` : ''} /Prev ${prev} >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}

function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export interface PlaceholderOptions {
  type?: 'Sig' | 'DocTimeStamp';
  subFilter?: string;
  name?: string;
  /** A certification signature with this DocMDP P (catalog /Perms too). */
  docMdpP?: number;
  /** The page's /Annots becomes a new indirect array (Adobe Reader does this). */
  indirectAnnots?: boolean;
}

/** Incremental update adding an empty signature (or document time-stamp) field with placeholders. */
export async function addSignaturePlaceholder(
  bytes: Uint8Array,
  o: PlaceholderOptions = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const type = o.type ?? 'Sig';
  const subFilter = o.subFilter ?? (type === 'Sig' ? 'ETSI.CAdES.detached' : 'ETSI.RFC3161');
  const sigNum = doc.context.largestObjectNumber + 1;
  const widgetNum = sigNum + 1;
  const page = doc.getPage(0);
  const docMdp = o.docMdpP
    ? ` /Reference [<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P ${o.docMdpP} /V /1.2 >> >>]`
    : '';
  const sig = `<< /Type /${type} /Filter /Adobe.PPKLite /SubFilter /${subFilter} ${BR_PLACEHOLDER} /Contents <${'0'.repeat(CONTENTS_HEX_LEN)}> /M (${pdfDate(new Date())})${docMdp} >>`;
  const fieldName = o.name ?? `Sig${sigNum}`;
  const widget = `<< /Type /Annot /Subtype /Widget /FT /Sig /T (${fieldName}) /V ${sigNum} 0 R /Rect [0 0 0 0] /F 132 /P ${page.ref.toString()} >>`;
  const pageDict = page.node.clone(doc.context);
  const annots =
    (page.node.lookup(PDFName.of('Annots')) as PDFArray | undefined)?.clone(doc.context) ??
    doc.context.obj([]);
  annots.push(PDFRef.of(widgetNum));
  const objects: NewObject[] = [
    { num: sigNum, body: sig },
    { num: widgetNum, body: widget },
  ];
  if (o.indirectAnnots) {
    objects.push({ num: widgetNum + 1, body: serialize(annots) });
    pageDict.set(PDFName.of('Annots'), PDFRef.of(widgetNum + 1));
  } else pageDict.set(PDFName.of('Annots'), annots);
  objects.push({ num: page.ref.objectNumber, body: serialize(pageDict) });
  const acroRef = doc.catalog.get(PDFName.of('AcroForm'));
  const acro = (acroRef instanceof PDFRef ? doc.context.lookup(acroRef) : acroRef) as
    PDFDict | undefined;
  const newAcro = acro ? acro.clone(doc.context) : doc.context.obj({});
  const fields =
    (newAcro.lookup(PDFName.of('Fields')) as PDFArray | undefined)?.clone(doc.context) ??
    doc.context.obj([]);
  fields.push(PDFRef.of(widgetNum));
  newAcro.set(PDFName.of('Fields'), fields);
  newAcro.set(PDFName.of('SigFlags'), doc.context.obj(3));
  if (acroRef instanceof PDFRef && !o.docMdpP)
    objects.push({ num: acroRef.objectNumber, body: serialize(newAcro) });
  else {
    const cat = doc.catalog.clone(doc.context);
    cat.set(PDFName.of('AcroForm'), acroRef instanceof PDFRef ? acroRef : newAcro);
    if (acroRef instanceof PDFRef)
      objects.push({ num: acroRef.objectNumber, body: serialize(newAcro) });
    if (o.docMdpP) cat.set(PDFName.of('Perms'), doc.context.obj({ DocMDP: PDFRef.of(sigNum) }));
    objects.push({
      num: (doc.context.trailerInfo.Root as PDFRef).objectNumber,
      body: serialize(cat),
    });
  }
  return appendUpdate(bytes, objects);
}

export async function addSignature(
  bytes: Uint8Array,
  o: CmsOptions & Omit<PlaceholderOptions, 'type'>,
): Promise<Uint8Array> {
  return embedSignature(await addSignaturePlaceholder(bytes, o), (ranges) => buildCms(ranges, o));
}

export async function addDocTimestamp(bytes: Uint8Array, pki: ValidationPki): Promise<Uint8Array> {
  const placeholder = await addSignaturePlaceholder(bytes, { type: 'DocTimeStamp' });
  return embedSignature(placeholder, (ranges) => {
    const h = createHash('sha256');
    for (const r of ranges) h.update(r);
    return pki.timestampToken(h.digest());
  });
}

/** Incremental update adding a /DSS with the given certificates and revocation data. */
export async function addDss(
  bytes: Uint8Array,
  d: { certs: Uint8Array[]; ocsps?: Uint8Array[]; crls?: Uint8Array[] },
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  let num = doc.context.largestObjectNumber + 1;
  const objects: NewObject[] = [];
  const streams = (items: Uint8Array[] = []): string => {
    const refs: string[] = [];
    for (const item of items) {
      objects.push({
        num,
        body: Buffer.concat([
          Buffer.from(`<< /Length ${item.length} >>\nstream\n`),
          Buffer.from(item),
          Buffer.from('\nendstream'),
        ]),
      });
      refs.push(`${num++} 0 R`);
    }
    return `[${refs.join(' ')}]`;
  };
  const dss = `<< /Certs ${streams(d.certs)} /OCSPs ${streams(d.ocsps)} /CRLs ${streams(d.crls)} >>`;
  const dssNum = num++;
  objects.push({ num: dssNum, body: dss });
  const cat = doc.catalog.clone(doc.context);
  cat.set(PDFName.of('DSS'), PDFRef.of(dssNum));
  objects.push({
    num: (doc.context.trailerInfo.Root as PDFRef).objectNumber,
    body: serialize(cat),
  });
  return appendUpdate(bytes, objects);
}

/** Validation material for a signer of the test PKI: chain certificates + CRLs + OCSP. */
export function revocationFor(
  pki: ValidationPki,
  cert: PkiCert,
): { certs: Uint8Array[]; crls: Uint8Array[]; ocsps: Uint8Array[] } {
  return {
    certs: [cert.certDer, pki.ca.certDer, pki.root.certDer],
    crls: [pki.caCrl, pki.rootCrl],
    ocsps: [pki.ocspResponse(cert)],
  };
}
