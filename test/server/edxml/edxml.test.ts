import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DOMParser, type Element } from '@xmldom/xmldom';
import {
  DSIG_NS,
  EDXML_NS,
  EdxmlError,
  PACKAGE_LIMITS,
  STATUS_CODES,
  parsePackage,
  parseStatus,
  verifyXmlSignature,
  writePackage,
  writeStatus,
  type EdxmlAttachment,
  type EdxmlStatus,
} from '../../../server/src/lib/edxml/index.js';
import { tinyPdf } from '../../support/factories.js';
import {
  cleanup,
  hasTool,
  opensslKey,
  runOnXml,
  samplePackage,
  xmlsecVerify,
  type TestKey,
} from './helpers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function caught(fn: () => unknown): EdxmlError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(EdxmlError);

    return err as EdxmlError;
  }
  throw new Error('expected an EdxmlError');
}

function elements(root: Element, out: Element[] = []): Element[] {
  out.push(root);
  for (let n = root.firstChild; n; n = n.nextSibling)
    if (n.nodeType === 1) elements(n as Element, out);

  return out;
}

describe('edXML library', () => {
  let rsa: TestKey;
  let ec: TestKey;
  let pdf: Uint8Array;
  let signed: string;

  before(async () => {
    rsa = opensslKey('rsa');
    ec = opensslKey('ec');
    pdf = await tinyPdf('Cong van 123/UBND-VP');
    signed = await writePackage(samplePackage(pdf), rsa.signer);
  });
  after(() => {
    cleanup(rsa);
    cleanup(ec);
  });

  describe('package round trip', () => {
    it('parses back to the same metadata and the same PDF bytes', () => {
      const sample = samplePackage(pdf);
      const back = parsePackage(signed);
      expect(back.header).to.deep.equal(sample.header);
      expect(back.bussiness).to.deep.equal({ ...sample.bussiness, paper: '0' });
      expect(back.traces).to.deep.equal(sample.traces);
      expect(back.attachments).to.have.length(1);
      expect(Buffer.from(back.attachments[0]!.bytes).equals(Buffer.from(pdf))).to.equal(true);
      expect(back.manifest).to.deep.equal([
        {
          contentId: 'cid:main',
          contentType: 'application/pdf',
          description: '123-UBND-VP.pdf',
          attachmentName: '123-UBND-VP.pdf',
        },
      ]);
      expect(back.variant).to.equal('edxml');
    });

    it('prefixes every envelope element with edXML: and keeps AttachmentEncoded in the default namespace', () => {
      const doc = new DOMParser().parseFromString(signed, 'text/xml');
      const root = doc.documentElement!;
      expect(root.tagName).to.equal('edXML');
      expect(root.namespaceURI).to.equal(EDXML_NS);
      const kids = elements(root).filter((e) => e !== root);
      const envelope = kids.find((e) => e.localName === 'edXMLEnvelope')!;
      expect(envelope.tagName).to.equal('edXML:edXMLEnvelope');
      for (const e of elements(envelope)) {
        if (e.namespaceURI === DSIG_NS) {
          expect(e.prefix, e.tagName).to.equal(null);
          continue;
        }
        expect(e.prefix, `${e.tagName} must be prefixed`).to.equal('edXML');
        expect(e.namespaceURI).to.equal(EDXML_NS);
      }
      const enc = kids.find((e) => e.localName === 'AttachmentEncoded')!;
      expect(enc.parentNode).to.equal(root);
      for (const e of elements(enc)) {
        if (e.localName === 'ContentTransferEncoded')
          expect(e.tagName).to.equal('edXML:ContentTransferEncoded');
        else expect(e.prefix, e.tagName).to.equal(null);
        expect(e.namespaceURI).to.equal(EDXML_NS);
      }
      expect(signed).to.include('UBND tỉnh Quảng Ninh &amp; &lt;Vùng&gt; "Đông Bắc"');
      // The signature sits inside edXMLHeader, after TraceHeaderList.
      const header = kids.find((e) => e.localName === 'edXMLHeader')!;
      const headerKids = elements(header).filter((e) => e.parentNode === header);
      expect(headerKids.map((e) => e.localName)).to.deep.equal([
        'MessageHeader',
        'TraceHeaderList',
        'Signature',
      ]);
    });

    it('is well-formed for xmllint', function () {
      expect(
        hasTool('xmllint'),
        'xmllint must be installed (.ci/run installs libxml2-utils)',
      ).to.equal(true);
      const r = runOnXml('xmllint', (f) => ['--noout', f], signed);
      expect(r.status, r.out).to.equal(0);
      const broken = runOnXml(
        'xmllint',
        (f) => ['--noout', f],
        signed.replace('</edXML:Subject>', ''),
      );
      expect(broken.status).to.not.equal(0);
    });
  });

  describe('several attachments', () => {
    const extra = (i: number, bytes: Uint8Array, type = 'application/pdf'): EdxmlAttachment => ({
      contentId: `cid:att${i}`,
      name: `phu-luc-${i}.${type === 'application/pdf' ? 'pdf' : 'docx'}`,
      contentType: type,
      bytes,
    });

    it('round-trips the main PDF and its attachments in order, byte for byte', async () => {
      const appendix = await tinyPdf('Phu luc 1');
      const docx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 1, 2, 3, 255, 254, 10, 13]);
      const sample = samplePackage(pdf);
      sample.attachments.push(
        extra(1, appendix),
        extra(2, docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
      );
      const xml = await writePackage(sample, rsa.signer);
      const back = parsePackage(xml);
      expect(back.attachments.map((a) => a.contentId)).to.deep.equal([
        'cid:main',
        'cid:att1',
        'cid:att2',
      ]);
      expect(back.manifest.map((m) => m.contentId)).to.deep.equal([
        'cid:main',
        'cid:att1',
        'cid:att2',
      ]);
      sample.attachments.forEach((a, i) => {
        expect(
          Buffer.from(back.attachments[i]!.bytes).equals(Buffer.from(a.bytes)),
          a.name,
        ).to.equal(true);
        expect(back.attachments[i]!.contentType).to.equal(a.contentType);
        expect(back.attachments[i]!.name).to.equal(a.name);
      });
      expect(verifyXmlSignature(xml).valid).to.equal(true);
    });

    it('refuses more attachments, or more bytes, than the limits allow, naming the attachment', async () => {
      const sample = samplePackage(pdf);
      const many = Array.from({ length: PACKAGE_LIMITS.maxAttachments }, (_, i) =>
        extra(i + 1, new Uint8Array([i])),
      );
      sample.attachments.push(...many);
      const xml = await writePackage(sample, rsa.signer);
      const err = caught(() => parsePackage(xml));
      expect(err.code).to.equal('EDXML_TOO_MANY_ATTACHMENTS');
      expect(err.element).to.equal(
        `AttachmentEncoded/Attachment[${PACKAGE_LIMITS.maxAttachments + 1}]`,
      );
      const size = caught(() =>
        parsePackage(signed, undefined, { maxAttachments: 5, maxAttachmentBytes: pdf.length - 1 }),
      );
      expect(size.code).to.equal('EDXML_ATTACHMENTS_TOO_LARGE');
      expect(size.element).to.equal('AttachmentEncoded/Attachment[1]');
      expect(
        parsePackage(signed, undefined, { maxAttachments: 1, maxAttachmentBytes: pdf.length })
          .attachments,
      ).to.have.length(1);
    });
  });

  describe('Bussiness: revocation, update, replacement', () => {
    it('writes and reads back the changed document and the ReplacementInfoList', async () => {
      const sample = samplePackage(pdf);
      sample.bussiness = {
        docType: 3,
        reason: 'Văn bản thay thế',
        documentId: '000.00.00.H56,2026/11/20,100/UBND-VP',
        replacements: [
          {
            documentId: '000.00.00.H56,2026/11/20,100/UBND-VP',
            organIds: ['000.00.00.G22', '000.00.00.H49'],
          },
        ],
      };
      const back = parsePackage(await writePackage(sample, rsa.signer));
      expect(back.bussiness).to.deep.equal({ ...sample.bussiness, paper: '0' });
      sample.bussiness = { docType: 1, reason: 'Thu hồi văn bản điện tử' };
      const revoke = parsePackage(await writePackage(sample, rsa.signer));
      expect(revoke.bussiness).to.deep.equal({
        docType: 1,
        reason: 'Thu hồi văn bản điện tử',
        paper: '0',
      });
    });

    it('names the element of a ReplacementInfo without DocumentId', async () => {
      const sample = samplePackage(pdf);
      sample.bussiness = {
        docType: 3,
        reason: 'Văn bản thay thế',
        replacements: [{ documentId: 'X', organIds: [] }],
      };
      const xml = (await writePackage(sample, rsa.signer)).replace(
        '<edXML:ReplacementInfo><edXML:DocumentId>X</edXML:DocumentId>',
        '<edXML:ReplacementInfo>',
      );
      const err = caught(() => parsePackage(xml));
      expect(err.code).to.equal('EDXML_MISSING_ELEMENT');
      expect(err.element).to.equal(
        'edXML:TraceHeaderList/edXML:Bussiness/edXML:ReplacementInfoList/edXML:ReplacementInfo[1]/edXML:DocumentId',
      );
    });
  });

  describe('XML signature', () => {
    it('verifies (RSA-SHA256), also with xmlsec1', function () {
      const check = verifyXmlSignature(signed);
      expect(check.valid, check.reason).to.equal(true);
      expect(check.algorithm).to.equal('rsa-sha256');
      expect(
        Buffer.from(check.certificateDer).equals(Buffer.from(rsa.signer.certificateDer)),
      ).to.equal(true);
      expect(hasTool('xmlsec1'), 'xmlsec1 must be installed (.ci/run installs it)').to.equal(true);
      const r = xmlsecVerify(signed);
      expect(r.status, r.out).to.equal(0);
      expect(r.out).to.match(/^OK/m);
    });

    it('fails after a one-character change in the header, and in the attachment', function () {
      const tampered = signed.replace('Hoằng Hóa</edXML:Subject>', 'Hoằng Hoá</edXML:Subject>');
      expect(tampered).to.not.equal(signed);
      expect(verifyXmlSignature(tampered).valid).to.equal(false);
      const b64 = Buffer.from(pdf).toString('base64').slice(0, 76);
      const i = signed.indexOf(b64) + 40;
      const flipped = signed.slice(0, i) + (signed[i] === 'A' ? 'B' : 'A') + signed.slice(i + 1);
      expect(verifyXmlSignature(flipped).valid).to.equal(false);
      expect(hasTool('xmlsec1'), 'xmlsec1 must be installed (.ci/run installs it)').to.equal(true);
      expect(xmlsecVerify(tampered).status).to.not.equal(0);
    });

    it('signs with ECDSA-SHA256 (r‖s), verified by xml-crypto and xmlsec1', async function () {
      const xml = await writePackage(samplePackage(pdf), ec.signer);
      const check = verifyXmlSignature(xml);
      expect(check.valid, check.reason).to.equal(true);
      expect(check.algorithm).to.equal('ecdsa-sha256');
      // ECDSA values are random; the signed content digest identifies the package anyway
      const again = await writePackage(samplePackage(pdf), ec.signer);
      expect(again).to.not.equal(xml);
      expect(verifyXmlSignature(again).digest).to.equal(check.digest).and.to.have.length(44);
      const value = /<SignatureValue>([^<]+)</.exec(xml)![1]!;
      expect(Buffer.from(value, 'base64')).to.have.length(64);
      expect(
        verifyXmlSignature(xml.replace('Thanh Hóa</edXML:Place>', 'Thanh Hoa</edXML:Place>')).valid,
      ).to.equal(false);
      expect(hasTool('xmlsec1'), 'xmlsec1 must be installed (.ci/run installs it)').to.equal(true);
      const r = xmlsecVerify(xml);
      expect(r.status, r.out).to.equal(0);
    });

    it('reports an unsigned package as EDXML_UNSIGNED', () => {
      const unsigned = signed.replace(/<Signature [\s\S]*<\/Signature>/, '');
      const err = caught(() => verifyXmlSignature(unsigned));
      expect(err.code).to.equal('EDXML_UNSIGNED');
      expect(err.message).to.include('edXML:edXMLHeader/Signature');
    });

    it('refuses a signature that covers only part of the package', () => {
      const partial = signed.replace('<Reference URI="">', '<Reference URI="#x">');
      const err = caught(() => verifyXmlSignature(partial));
      expect(err.code).to.equal('EDXML_SIGNATURE_INVALID');
    });
  });

  describe('parser errors', () => {
    it('names the missing element', () => {
      const xml = signed.replace(/<edXML:CodeNumber>[^<]*<\/edXML:CodeNumber>/, '');
      const err = caught(() => parsePackage(xml));
      expect(err.code).to.equal('EDXML_MISSING_ELEMENT');
      expect(err.message).to.include('edXML:MessageHeader/edXML:Code/edXML:CodeNumber');
    });

    it('names a bad value', () => {
      const xml = signed.replace('<edXML:Priority>1<', '<edXML:Priority>7<');
      const err = caught(() => parsePackage(xml));
      expect(err.code).to.equal('EDXML_BAD_VALUE');
      expect(err.message).to.include('edXML:MessageHeader/edXML:OtherInfo/edXML:Priority');
    });

    it('refuses malformed XML, DOCTYPE and entities', () => {
      expect(caught(() => parsePackage(signed.slice(0, 500))).code).to.equal('EDXML_MALFORMED');
      const laughs =
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><edXML>&lol2;</edXML>';
      expect(caught(() => parsePackage(laughs)).code).to.equal('EDXML_FORBIDDEN_MARKUP');
      const xxe =
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
      expect(caught(() => parsePackage(xxe)).code).to.equal('EDXML_FORBIDDEN_MARKUP');
    });

    it('refuses invalid base64 and a manifest naming no attachment', () => {
      const bad = signed.replace(/(<edXML:ContentTransferEncoded[^>]*>\n)/, '$1%%%');
      expect(caught(() => parsePackage(bad)).message).to.include('ContentTransferEncoded');
      const orphan = signed.replace('<edXML:ContentId>cid:main<', '<edXML:ContentId>cid:other<');
      expect(caught(() => parsePackage(orphan)).message).to.include(
        'edXML:Reference[1]/edXML:ContentId',
      );
    });
  });

  describe('fixtures in other shapes', () => {
    it('reads a package in the VNPT SDK shape', () => {
      const p = parsePackage(fixture('vnpt-sdk-sample.edxml'));
      expect(p.header.from.organId).to.equal('000.00.00.G22');
      expect(p.header.to.map((t) => t.organId)).to.deep.equal(['000.00.00.H56', '000.00.00.H49']);
      expect(p.header.code).to.deep.equal({ number: '7816', notation: 'VPCP-TTĐT' });
      expect(p.header.promulgation).to.deep.equal({ place: 'Hà Nội', date: '2015-09-30' });
      expect(p.header.documentType.typeName).to.equal('Công văn');
      expect(p.header.otherInfo.priority).to.equal(2);
      expect(p.header.otherInfo.appendixes).to.deep.equal(['Danh sách các đơn vị kết nối']);
      expect(p.header.toPlaces).to.have.length(2);
      expect(p.header.dueDate).to.equal('2015-10-15');
      expect(p.bussiness.staffInfo?.staff).to.equal('Nguyễn Thị Ngọc Trâm');
      expect(p.attachments[0]!.contentId).to.equal('cid:209');
      expect(Buffer.from(p.attachments[0]!.bytes).toString('latin1')).to.match(/^%PDF-1\.4/);
      // The SDK's Signature is outside the XML-DSig namespace (and SHA-1): not verifiable.
      expect(caught(() => verifyXmlSignature(fixture('vnpt-sdk-sample.edxml'))).code).to.equal(
        'EDXML_UNSIGNED',
      );
    });

    it('reads the legacy SOAP-wrapped variant', () => {
      const p = parsePackage(fixture('legacy-soap.edxml'));
      expect(p.variant).to.equal('soap');
      expect(p.header.documentId).to.equal('000.00.00.H44,2020/03/02,15/UBND-KGVX');
      expect(p.header.otherInfo.priority).to.equal(0);
      expect(p.bussiness.docType).to.equal(0);
      expect(p.attachments.map((a) => a.name)).to.deep.equal(['cv15.pdf']);
    });
  });

  describe('status messages', () => {
    const base: Omit<EdxmlStatus, 'statusCode'> = {
      responseFor: {
        organId: '000.00.00.H56',
        code: '123/UBND-VP',
        promulgationDate: '2026-11-28',
        documentId: '000.00.00.H56,2026/11/28,123/UBND-VP',
      },
      from: { organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ' },
      description: 'Đã tiếp nhận & vào sổ',
      timestamp: new Date('2026-11-29T03:04:05Z'),
      staffInfo: { department: 'Văn thư', staff: 'Trần Văn Nhận' },
    };

    for (const code of STATUS_CODES) {
      it(`writes, signs and reads back status ${code}`, async () => {
        const xml = await writeStatus({ ...base, statusCode: code }, rsa.signer);
        expect(xml).to.include(`<edXML:StatusCode>${code}</edXML:StatusCode>`);
        expect(xml).to.include('<edXML:Timestamp>2026/11/29 10:04:05</edXML:Timestamp>');
        expect(parseStatus(xml)).to.deep.equal({ ...base, statusCode: code });
        expect(verifyXmlSignature(xml).valid).to.equal(true);
      });
    }

    it('is well-formed and verifies with xmlsec1', async function () {
      expect(
        hasTool('xmlsec1') && hasTool('xmllint'),
        'xmlsec1 and xmllint must be installed (.ci/run installs them)',
      ).to.equal(true);
      const xml = await writeStatus({ ...base, statusCode: '06' }, ec.signer);
      expect(runOnXml('xmllint', (f) => ['--noout', f], xml).status).to.equal(0);
      const r = xmlsecVerify(xml);
      expect(r.status, r.out).to.equal(0);
    });

    it('names the element of a bad status code', async () => {
      const xml = (await writeStatus({ ...base, statusCode: '03' })).replace('>03<', '>07<');
      const err = caught(() => parseStatus(xml));
      expect(err.message).to.include('edXML:Status/edXML:StatusCode');
    });
  });
});
