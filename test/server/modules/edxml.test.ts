import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { TEdxmlImport } from '../../../server/src/contracts/edxml.js';
import type { TDispatchSent } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import {
  PACKAGE_LIMITS,
  parsePackage,
  parseStatus,
  verifyXmlSignature,
  writePackage,
  writeStatus,
  type EdxmlAttachment,
  type EdxmlPackage,
  type EdxmlStatus,
  type XmlSigner,
} from '../../../server/src/lib/edxml/index.js';
import type { Hub } from '../../../server/src/hub.js';
import {
  addVersion,
  Documents,
  readVersionBytes,
} from '../../../server/src/modules/documents/index.js';
import { EdxmlAttachments } from '../../../server/src/modules/edxml/attachments.js';
import { EdxmlChanges } from '../../../server/src/modules/edxml/change-ledger.js';
import { signerForOrg } from '../../../server/src/modules/edxml/edxml-signer.js';
import { readPackage } from '../../../server/src/modules/edxml/import-common.js';
import { AppError } from '../../../server/src/errors/app-error.js';
import { Deliveries } from '../../../server/src/modules/exchange/delivery.model.js';
import { hubPki } from '../../../server/src/modules/pki/hub-hierarchy.js';
import { HubSeals, hubEdxmlSeal } from '../../../server/src/modules/pki/hub-seal.js';
import { IssuedCertificates } from '../../../server/src/modules/pki/models.js';
import { Orgs } from '../../../server/src/modules/orgs/org.model.js';
import { createOrg } from '../../../server/src/modules/orgs/orgs.service.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { startTestHub, testDbName } from '../../support/hub.js';
import {
  cleanup,
  hasTool,
  opensslKey,
  opensslCertText,
  runOnXml,
  samplePackage,
  xmlsecVerifyWithRoot,
  type TestKey,
} from '../edxml/helpers.js';
import { API, call } from '../../support/call.js';

async function rootPem(hub: Hub): Promise<string> {
  return (await fetch(`${hub.url}/pki/root-ca.pem`)).text();
}

async function fetchText(hub: Hub, token: string, path: string) {
  const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** POST /edxml through the contract: what the package made (a 2xx other than quarantine). */
async function importXml(hub: Hub, token: string, xml: string, status: number) {
  const res = await call(hub, token)(API.edxml.import, { body: xml });
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  if ('quarantined' in res.body) throw new Error('held in quarantine');

  return res.body;
}

/** An answer that is XML text (an export, a Status message), not JSON. */
function xmlOf(body: unknown): string {
  if (typeof body !== 'string') throw new Error(`not XML: ${JSON.stringify(body)}`);

  return body;
}

function postXml(hub: Hub, token: string, path: string, xml: string, type = 'application/xml') {
  return fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: xml,
  }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      code?: string;
      reason?: string;
      detail?: string;
    },
  }));
}

describe('edxml module: export, status messages, import', () => {
  let hub: Hub;
  let hub2: Hub;
  let sender: TOrg;
  let recipients: TOrg[];
  let clerk: TestUser;
  let admin: TestUser;
  let rclerk: TestUser;
  let key: TestKey;

  let trustDir: string;

  before(async () => {
    // hub 2 trusts hub 1's root (TRUST_DIR), as a province's hub trusts the national CA: the
    // seals of hub 1's organizations then bind the packages they sign (sender binding)
    hub = await startTestHub();
    trustDir = mkdtempSync(join(tmpdir(), 'edxml-trust-'));
    writeFileSync(join(trustDir, 'hub1-root.pem'), await rootPem(hub));
    // a root of its own: hub 1's signatures must not verify against hub 2's root
    hub2 = await startTestHub({ TRUST_DIR: trustDir }, undefined, { ownPki: true });
    sender = await makeOrg(hub.ctx, {
      name: 'UBND tỉnh Thanh Hóa',
      level: 'province',
      contact: { address: '35 Đại lộ Lê Lợi' },
    });
    recipients = [
      await makeOrg(hub.ctx, { name: 'UBND huyện Hoằng Hóa', level: 'district' }),
      await makeOrg(hub.ctx, { name: 'UBND xã Hoằng Đồng' }),
    ];
    clerk = await makeUser(hub, sender, ['clerk']);
    admin = await makeUser(hub, sender, ['org_admin']);
    rclerk = await makeUser(hub, recipients[0]!, ['clerk'], 'Trần Văn Nhận');
    key = opensslKey('rsa');
  });
  after(async () => {
    cleanup(key);
    await Promise.all([hub.close(), hub2.close()]);
    rmSync(trustDir, { recursive: true, force: true });
  });

  /** A seal certificate for the organization, issued by hub 1 (key held on hub 1). */
  async function issueSeal(org: TOrg): Promise<void> {
    const hubAdmin = await makeUser(hub, await makeOrg(hub.ctx), ['hub_admin']);
    const res = await api(hub, hubAdmin.token)('POST', '/api/v1/certificates/seal', {
      orgId: org.id,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }

  async function dispatch(): Promise<TDispatchSent> {
    const doc = await makeDocument(hub, clerk, { dueDate: '2026-12-05', urgency: 'thuong_khan' });
    const res = await call(hub, clerk.token)(API.exchange.dispatch, {
      body: {
        documentId: doc.id,
        recipients: recipients.map((r) => r.id),
      },
    });
    expect(res.status).to.equal(201);

    return res.body;
  }

  describe('GET /dispatches/:id/edxml', () => {
    it('exports a signed package with the dispatch metadata (hub key without a seal)', async function () {
      const d = await dispatch();
      const res = await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/application\/xml/);
      expect(res.headers.get('x-edxml-signed-by')).to.equal('hub');
      expect(decodeURIComponent(res.headers.get('x-edxml-signer')!)).to.equal(
        'LiênThông edXML Seal',
      );
      const pkg = parsePackage(res.text);
      expect(pkg.header.from).to.include({ organId: sender.code, organName: sender.name });
      expect(pkg.header.to.map((t) => t.organId)).to.deep.equal(recipients.map((r) => r.code));
      expect(pkg.header.documentId).to.match(
        new RegExp(`^${sender.code.replaceAll('.', '\\.')},2026/11/28,\\d+/UBND-VP$`),
      );
      expect(pkg.header.code.notation).to.equal('UBND-VP');
      expect(pkg.header.promulgation).to.deep.equal({ place: 'Thanh Hóa', date: '2026-11-28' });
      expect(pkg.header.subject).to.equal('V/v triển khai chuyển đổi số tại huyện Hoằng Hóa');
      expect(pkg.header.otherInfo.priority).to.equal(2);
      expect(pkg.header.dueDate).to.equal('2026-12-05');
      expect(pkg.bussiness.docType).to.equal(0);
      const bytes = await readVersionBytes(hub.ctx, d.versionId);
      expect(Buffer.from(pkg.attachments[0]!.bytes).equals(bytes)).to.equal(true);
      expect(verifyXmlSignature(res.text).valid).to.equal(true);
      expect(
        hasTool('xmlsec1') && hasTool('xmllint'),
        'xmlsec1 and xmllint must be installed (.ci/run installs them)',
      ).to.equal(true);
      expect(runOnXml('xmllint', (f) => ['--noout', f], res.text).status).to.equal(0);
      const x = xmlsecVerifyWithRoot(res.text, await rootPem(hub));
      expect(x.status, x.out).to.equal(0);
      expect(x.out).to.match(/^OK/m);
    });

    it('signs with the hub edXML seal: an end entity of the issuing CA, not the CA key', async () => {
      const d = await dispatch();
      const res = await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      const check = verifyXmlSignature(res.text);
      const cert = new X509Certificate(check.certificateDer);
      const pki = await hubPki(hub.ctx);
      const issuing = new X509Certificate(pki.issuing.certificate);
      expect(cert.ca).to.equal(false);
      expect(cert.raw.equals(issuing.raw)).to.equal(false);
      expect(cert.checkIssued(issuing) && cert.verify(issuing.publicKey)).to.equal(true);
      const text = opensslCertText(check.certificateDer);
      expect(text).to.match(/Basic Constraints: critical\s+CA:FALSE/);
      expect(text).to.match(/Key Usage: critical\s+Digital Signature, Non Repudiation\s/);
      expect(text).to.include('CN=LiênThông edXML Seal');
      expect(text).to.include('Issuer: C=VN, O=LiênThông, CN=LiênThông Issuing CA');
      const tampered = res.text.replace('Hoằng Hóa</edXML:Subject>', 'Hoằng Hoá</edXML:Subject>');
      expect(xmlsecVerifyWithRoot(tampered, await rootPem(hub)).status).to.not.equal(0);
      expect(xmlsecVerifyWithRoot(res.text, await rootPem(hub2)).status).to.not.equal(0);
    });

    it('signs with the organization seal when it has one', async () => {
      const seal = await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {});
      expect(seal.status, JSON.stringify(seal.body)).to.equal(201);
      const d = await dispatch();
      const res = await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      expect(res.headers.get('x-edxml-signed-by')).to.equal('org-seal');
      const check = verifyXmlSignature(res.text);
      expect(check.valid).to.equal(true);
      expect(check.subject).to.include(sender.name);
      const x = xmlsecVerifyWithRoot(res.text, await rootPem(hub));
      expect(x.status, x.out).to.equal(0);
    });

    it('is not found for another organization', async () => {
      const d = await dispatch();
      const res = await fetchText(hub, rclerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      expect(res.status).to.equal(404);
    });
  });

  describe('status messages', () => {
    it('exports each transition of a delivery, or one by code', async () => {
      const d = await dispatch();
      const delivery = d.deliveries!.find((x) => x.recipientOrgId === recipients[0]!.id)!;
      const moved = await api(hub, rclerk.token)(
        'POST',
        `/api/v1/deliveries/${delivery.id}/status`,
        { code: '03' },
      );
      expect(moved.status).to.equal(200);
      const messages = call(hub, clerk.token);
      const all = await messages(API.edxml.statusMessages, { params: { id: delivery.id } });
      if (typeof all.body === 'string') throw new Error('XML without a code');
      expect(all.body.items.map((i) => i.code)).to.deep.equal(['01', '03']);
      const one = await messages(API.edxml.statusMessages, {
        params: { id: delivery.id },
        query: { code: '03' },
      });
      expect(one.status).to.equal(200);
      const s = parseStatus(xmlOf(one.body));
      expect(s.statusCode).to.equal('03');
      expect(s.from.organId).to.equal(recipients[0]!.code);
      expect(s.staffInfo?.staff).to.equal('Trần Văn Nhận');
      const exported = await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      expect(s.responseFor.documentId).to.equal(parsePackage(exported.text).header.documentId);
      expect(verifyXmlSignature(xmlOf(one.body)).valid).to.equal(true);
      const none = await messages(API.edxml.statusMessages, {
        params: { id: delivery.id },
        query: { code: '06' },
      });
      expect(none.status).to.equal(404);
    });
  });

  describe('POST /edxml/status', () => {
    async function statusFor(d: TDispatchSent, code: EdxmlStatus['statusCode'], description = '') {
      const pkg = parsePackage(
        (await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`)).text,
      );

      return writeStatus(
        {
          responseFor: {
            organId: sender.code,
            code: `${pkg.header.code.number}/${pkg.header.code.notation}`,
            promulgationDate: pkg.header.promulgation.date,
            documentId: pkg.header.documentId,
          },
          from: { organId: recipients[0]!.code, organName: recipients[0]!.name },
          statusCode: code,
          description,
          timestamp: new Date(),
        },
        key.signer,
      );
    }

    it('applies a transition, refuses an illegal one with 409 and an unsigned one with 422', async () => {
      const d = await dispatch();
      const ok = await call(hub, rclerk.token)(API.edxml.applyStatus, {
        body: await statusFor(d, '03'),
      });
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      if (!('delivery' in ok.body)) throw new Error('no delivery moved');
      expect(ok.body.delivery.status).to.equal('03');
      const illegal = await postXml(
        hub,
        rclerk.token,
        '/api/v1/edxml/status',
        await statusFor(d, '06', 'Xong'),
      );
      expect(illegal.status).to.equal(409);
      const unsigned = (await statusFor(d, '05')).replace(/<Signature [\s\S]*<\/Signature>/, '');
      const refused = await postXml(hub, rclerk.token, '/api/v1/edxml/status', unsigned);
      expect(refused.status).to.equal(422);
      expect(refused.body.reason).to.equal('EDXML_UNSIGNED');
      const stranger = await postXml(
        hub,
        clerk.token,
        '/api/v1/edxml/status',
        await statusFor(d, '05'),
      );
      expect(stranger.status).to.equal(403);
    });
  });

  describe('POST /edxml (import)', () => {
    let xml: string;
    let d: TDispatchSent;
    let r2: TOrg[];
    let clerk2: TestUser;
    let hubAdmin2: TestUser;

    before(async () => {
      d = await dispatch();
      xml = (await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`)).text;
      r2 = [await makeOrg(hub2.ctx, { code: recipients[0]!.code, name: recipients[0]!.name })];
      clerk2 = await makeUser(hub2, r2[0]!, ['clerk']);
      hubAdmin2 = await makeUser(hub2, await makeOrg(hub2.ctx), ['hub_admin']);
    });

    it('holds a package of an unknown sender in quarantine; released, it creates the document and deliveries, sender as external; a repeat changes nothing', async () => {
      const held = await call(hub2, clerk2.token)(API.edxml.import, { body: xml });
      expect(held.status, JSON.stringify(held.body)).to.equal(202);
      if (!('quarantined' in held.body)) throw new Error('not held');
      expect(await Orgs(hub2.ctx.db.conn).countDocuments({ code: sender.code })).to.equal(0);
      const released = await call(hub2, hubAdmin2.token)(API.edxml.release, {
        params: { id: held.body.quarantineId },
      });
      expect(released.status, JSON.stringify(released.body)).to.equal(201);
      const out = released.body.import;
      expect(out.sender).to.include({ code: sender.code, external: true, created: true });
      expect(out.deliveries.map((x) => x.recipientCode)).to.deep.equal([recipients[0]!.code]);
      expect(out.skippedRecipients).to.deep.equal([recipients[1]!.code]);
      // signed by the sender's seal, issued by hub 1, whose root hub 2 trusts
      expect(out.xmlSignature.trusted).to.equal(true);
      const senderOrg = await Orgs(hub2.ctx.db.conn).findOne({ code: sender.code }).lean();
      expect(senderOrg!.external).to.equal(true);
      const incoming = await call(hub2, clerk2.token)(API.exchange.delivery, {
        params: { id: out.deliveries[0]!.id },
      });
      expect(incoming.status).to.equal(200);
      const delivery = incoming.body;
      expect(delivery.subject).to.equal('V/v triển khai chuyển đổi số tại huyện Hoằng Hóa');
      expect(delivery.urgency).to.equal('thuong_khan');
      const doc2 = await api(hub2, clerk2.token)('GET', `/api/v1/documents/${out.documentId}`);
      const doc1 = await api(hub, clerk.token)('GET', `/api/v1/documents/${d.documentId}`);
      const meta2 = doc2.body.meta as Record<string, unknown>;
      const meta1 = doc1.body.meta as Record<string, unknown>;
      for (const k of [
        'type',
        'number',
        'notation',
        'issuePlace',
        'issueDate',
        'subject',
        'urgency',
        'signer',
        'dueDate',
      ]) {
        expect(meta2[k], k).to.deep.equal(meta1[k]);
      }
      const v2 = (doc2.body.versions as { id: string }[])[0]!.id;
      const [b1, b2] = [
        await readVersionBytes(hub.ctx, d.versionId),
        await readVersionBytes(hub2.ctx, v2),
      ];
      expect(b2.equals(b1)).to.equal(true);
      const again = await postXml(hub2, clerk2.token, '/api/v1/edxml', xml);
      expect(again.status).to.equal(200);
      expect(again.body.replayed).to.equal(true);
      expect((again.body.deliveries as unknown[]).length).to.equal(1);
    });

    it('refuses an unsigned, a tampered and a malformed package with 422 naming the element', async () => {
      const unsigned = xml.replace(/<Signature [\s\S]*<\/Signature>/, '');
      // from the sender itself: unsigned; from a recipient: an unbound sender (no signature)
      const a = await postXml(hub, clerk.token, '/api/v1/edxml', unsigned);
      expect(a.status).to.equal(422);
      expect(a.body.reason).to.equal('EDXML_UNSIGNED');
      expect(a.body.detail).to.include('edXML:edXMLHeader/Signature');
      const relayed = await postXml(hub2, clerk2.token, '/api/v1/edxml', unsigned);
      expect(relayed.status).to.equal(403);
      expect(relayed.body.reason).to.equal('EDXML_SENDER_MISMATCH');
      const tampered = xml.replace('Hoằng Hóa</edXML:Subject>', 'Hoằng Hoá</edXML:Subject>');
      const b = await postXml(hub2, clerk2.token, '/api/v1/edxml', tampered);
      expect(b.status).to.equal(422);
      expect(b.body.reason).to.equal('EDXML_SIGNATURE_INVALID');
      const missing = xml.replace(/<edXML:CodeNumber>[^<]*<\/edXML:CodeNumber>/, '');
      const c = await postXml(hub2, clerk2.token, '/api/v1/edxml', missing);
      expect(c.status).to.equal(422);
      expect(c.body.detail).to.include(
        'EDXML_MISSING_ELEMENT: edXML:MessageHeader/edXML:Code/edXML:CodeNumber',
      );
      const broken = await postXml(hub2, clerk2.token, '/api/v1/edxml', xml.slice(0, 300));
      expect(broken.status).to.equal(422);
      expect(broken.body.reason).to.equal('EDXML_MALFORMED');
      const doctype = await postXml(
        hub2,
        clerk2.token,
        '/api/v1/edxml',
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
      );
      expect(doctype.body.reason).to.equal('EDXML_FORBIDDEN_MARKUP');
      const json = await api(hub2, clerk2.token)('POST', '/api/v1/edxml', { xml });
      expect(json.status).to.equal(415);
    });

    it('refuses an import by an organization the package does not name', async () => {
      const other = await makeOrg(hub2.ctx);
      const u = await makeUser(hub2, other, ['clerk']);
      const res = await postXml(hub2, u.token, '/api/v1/edxml', xml);
      expect(res.status).to.equal(403);
    });
  });

  describe('revocation, update and replacement between two hubs', () => {
    let from: TOrg;
    let to: TOrg[];
    let sclerk: TestUser;
    let b: TOrg[];
    let bclerks: TestUser[];

    before(async () => {
      from = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa (thay đổi)' });
      to = [await makeOrg(hub.ctx), await makeOrg(hub.ctx)];
      sclerk = await makeUser(hub, from, ['clerk']);
      await issueSeal(from);
      // the sender is known on hub 2 as an external organization (released earlier, say)
      await createOrg(
        hub2.ctx,
        { code: from.code, name: from.name, kind: 'agency', level: 'unit', contact: {} },
        true,
      );
      b = await Promise.all(to.map((o) => makeOrg(hub2.ctx, { code: o.code, name: o.name })));
      bclerks = await Promise.all(b.map((o) => makeUser(hub2, o, ['clerk'], 'Lê Văn Nhận')));
    });

    type Imported = TEdxmlImport;

    async function exported(dispatchId: string): Promise<string> {
      const res = await fetchText(hub, sclerk.token, `/api/v1/dispatches/${dispatchId}/edxml`);
      expect(res.status, res.text).to.equal(200);

      return res.text;
    }

    async function imported(xml: string, status = 201): Promise<Imported> {
      return importXml(hub2, bclerks[0]!.token, xml, status);
    }

    /** A dispatch on hub 1, carried to hub 2 as a package: [dispatch, the deliveries on hub 2]. */
    async function sentToHub2(): Promise<[TDispatchSent, Imported]> {
      const doc = await makeDocument(hub, sclerk);
      const res = await call(hub, sclerk.token)(API.exchange.dispatch, {
        body: {
          documentId: doc.id,
          recipients: to.map((o) => o.id),
        },
      });
      const d = res.body;

      return [d, await imported(await exported(d.id))];
    }

    async function newVersion(d: TDispatchSent, replace: boolean): Promise<Uint8Array> {
      const bytes = await tinyPdf(`Ban ${replace ? 'thay the' : 'cap nhat'} ${d.id}`);
      const { version } = await addVersion(hub.ctx, d.documentId, bytes, {
        fileName: 'ban-moi.pdf',
        reason: 'replacement',
        createdBy: sclerk.id,
      });
      const res = await api(hub, sclerk.token)('POST', `/api/v1/dispatches/${d.id}/update`, {
        versionId: String(version._id),
        reason: replace ? 'Thay thế văn bản' : 'Sửa lỗi chính tả',
        replace,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);

      return bytes;
    }

    async function answer(i: number, deliveryId: string, code: '15' | '16') {
      const res = await call(hub2, bclerks[i]!.token)(API.exchange.changeStatus, {
        params: { id: deliveryId },
        body: code === '15' ? { code } : { code, reason: 'Đã xử lý theo văn bản cũ' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);

      return res.body;
    }

    const stored = (id: string) => Deliveries(hub2.ctx.db.conn).findById(id).lean();
    /** The delivery on hub 2 to recipient i (the order of a result is not the order of To). */
    const to2 = (out: Imported, i: number) =>
      out.deliveries.find((x) => x.recipientCode === b[i]!.code)!;

    it('a recall travels as BussinessDocType 1; the recipients answer 15 and 16', async () => {
      const [d, first] = await sentToHub2();
      const recall = await api(hub, sclerk.token)('POST', `/api/v1/dispatches/${d.id}/recall`, {
        reason: 'Gửi nhầm văn bản',
      });
      expect(recall.status).to.equal(200);
      const xml = await exported(d.id);
      const pkg = parsePackage(xml);
      expect(pkg.bussiness).to.include({ docType: 1, documentId: pkg.header.documentId });
      expect(pkg.traces).to.have.length(2);
      const out = await imported(xml);
      expect(out.bussinessDocType).to.equal(1);
      expect(out.documentId).to.equal(first.documentId);
      expect(out.change?.kind).to.equal('recall');
      expect(out.deliveries.map((x) => x.change)).to.deep.equal([
        { kind: 'recall', state: 'requested' },
        { kind: 'recall', state: 'requested' },
      ]);
      const [d0, d1] = [to2(first, 0), to2(first, 1)];
      const seen = await call(hub2, bclerks[0]!.token)(API.exchange.delivery, {
        params: { id: d0!.id },
      });
      // a recalled delivery shows its recipient the recall, not the messages before it (issue #26)
      expect(seen.body.history.map((h) => h.code)).to.deep.equal(['13']);
      await answer(0, d0!.id, '15');
      expect((await answer(1, d1!.id, '16')).change).to.include({ state: 'refused' });
      expect((await stored(d0!.id))!.withdrawn).to.equal(true);
      const again = await imported(xml, 200);
      expect(again.replayed).to.equal(true);
      expect(again.deliveries.map((x) => x.change?.state).sort()).to.deep.equal([
        'agreed',
        'refused',
      ]);
      for (const id of [d0!.id, d1!.id]) {
        const h = (await stored(id))!.history.map((x) => x.code);
        expect(
          h.filter((c) => c === '13'),
          id,
        ).to.have.length(1);
      }
    });

    it('an update travels as BussinessDocType 2 with the new PDF; 15 moves the delivery to it', async () => {
      const [d, first] = await sentToHub2();
      const bytes = await newVersion(d, false);
      const xml = await exported(d.id);
      const pkg = parsePackage(xml);
      expect(pkg.bussiness).to.include({ docType: 2, documentId: pkg.header.documentId });
      expect(Buffer.from(pkg.attachments[0]!.bytes).equals(Buffer.from(bytes))).to.equal(true);
      const out = await imported(xml);
      expect(out.change?.kind).to.equal('update');
      const versionId = out.change!.originals[0]!.versionId!;
      expect((await readVersionBytes(hub2.ctx, versionId)).equals(Buffer.from(bytes))).to.equal(
        true,
      );
      expect(out.deliveries.every((x) => x.change?.state === 'requested')).to.equal(true);
      const agreed = await answer(0, to2(first, 0).id, '15');
      expect(agreed.versionId).to.equal(versionId);
      expect(agreed.history.map((h) => h.code)).to.deep.equal(['01', '13', '15']);
      const again = await imported(xml, 200);
      expect(again.replayed).to.equal(true);
      const doc = await api(hub2, bclerks[0]!.token)('GET', `/api/v1/documents/${out.documentId}`);
      expect(doc.body.versions as unknown[]).to.have.length(2);
    });

    it('a replacement travels as BussinessDocType 3 naming the replaced document; 16 keeps the old one', async () => {
      const [d, first] = await sentToHub2();
      await newVersion(d, true);
      const xml = await exported(d.id);
      const pkg = parsePackage(xml);
      expect(pkg.bussiness.docType).to.equal(3);
      expect(pkg.bussiness.replacements).to.deep.equal([
        { documentId: pkg.header.documentId, organIds: to.map((o) => o.code) },
      ]);
      const out = await imported(xml);
      expect(out.change?.kind).to.equal('replace');
      const before = (await stored(to2(first, 1).id))!.versionId;
      const refused = await answer(1, to2(first, 1).id, '16');
      expect(refused.change).to.include({ kind: 'update', state: 'refused' });
      expect(refused.versionId).to.equal(String(before));
      expect(refused.history.map((h) => h.code)).to.deep.equal(['01', '13', '16']);
    });

    /** A package signed by another key (hub 2 does not trust it; it is reported, not refused). */
    async function forged(edit: (p: EdxmlPackage) => void): Promise<string> {
      const p = samplePackage(await tinyPdf('Gia mao'));
      p.header.from = { organId: from.code, organName: from.name };
      p.header.to = to.map((o) => ({ organId: o.code, organName: o.name }));
      edit(p);

      // made up by the test, but signed with the sender's own seal: it binds the sender
      return writePackage(p, (await signerForOrg(hub.ctx, from.id)).signer);
    }

    async function snapshot() {
      const conn = hub2.ctx.db.conn;

      return JSON.stringify([
        await Deliveries(conn).find().sort({ _id: 1 }).lean(),
        await Documents(conn).countDocuments(),
        await EdxmlChanges(conn).countDocuments(),
      ]);
    }

    it('a recall naming only some recipients reaches only them', async () => {
      const [, first] = await sentToHub2();
      const doc = await Documents(hub2.ctx.db.conn).findById(first.documentId).lean();
      const out = await imported(
        await forged((p) => {
          p.header.to = [{ organId: b[0]!.code, organName: b[0]!.name }];
          p.bussiness = {
            docType: 1,
            reason: 'Thu hồi văn bản điện tử',
            documentId: `${from.code},2026/11/28,${doc!.meta.number}/UBND-VP`,
          };
        }),
      );
      expect(out.deliveries.map((x) => [x.recipientCode, x.change?.state])).to.deep.equal([
        [b[0]!.code, 'requested'],
      ]);
      expect((await stored(to2(first, 1).id))!.change).to.equal(null);
    });

    it('lets only a sender of this hub itself import changes of its documents (403 for a recipient)', async () => {
      const doc = await makeDocument(hub, sclerk, { notation: 'UBND-TH' });
      const sent = await api(hub, sclerk.token)('POST', '/api/v1/dispatches', {
        documentId: doc.id,
        recipients: [to[0]!.id],
      });
      expect(sent.status).to.equal(201);
      const rclerk1 = await makeUser(hub, to[0]!, ['clerk']);
      const revoke = await forged((p) => {
        p.header.to = [{ organId: to[0]!.code, organName: to[0]!.name }];
        p.bussiness = {
          docType: 1,
          reason: 'Thu hồi văn bản điện tử',
          documentId: `${from.code},2026/11/28,${doc.meta.number}/UBND-TH`,
        };
      });
      const refused = await postXml(hub, rclerk1.token, '/api/v1/edxml', revoke);
      expect(refused.status, JSON.stringify(refused.body)).to.equal(403);
      expect(refused.body.reason).to.equal('EDXML_SENDER_ONLY');
      const still = await Deliveries(hub.ctx.db.conn).findOne({ documentId: doc.id }).lean();
      expect(still!.change).to.equal(null);
      const own = await postXml(hub, sclerk.token, '/api/v1/edxml', revoke);
      expect(own.status, JSON.stringify(own.body)).to.equal(201);
      expect(
        (await Deliveries(hub.ctx.db.conn).findOne({ documentId: doc.id }).lean())!.change,
      ).to.include({ kind: 'recall', state: 'requested' });
    });

    it('refuses an unknown original (404), another sender (403) and too many attachments (422), naming the element; nothing changes', async () => {
      const [, first] = await sentToHub2();
      const doc = await Documents(hub2.ctx.db.conn).findById(first.documentId).lean();
      const originalId = `${from.code},${doc!.meta.issueDate.replaceAll('-', '/')},${doc!.meta.number}/${doc!.meta.notation}`;
      const before = await snapshot();
      const unknown = await postXml(
        hub2,
        bclerks[0]!.token,
        '/api/v1/edxml',
        await forged((p) => {
          p.bussiness = {
            docType: 1,
            reason: 'Thu hồi văn bản điện tử',
            documentId: `${from.code},2026/11/28,99999/UBND-VP`,
          };
        }),
      );
      expect(unknown.status).to.equal(404);
      expect(unknown.body.reason).to.equal('EDXML_UNKNOWN_ORIGINAL');
      expect(unknown.body.detail).to.include(
        'edXML:TraceHeaderList/edXML:Bussiness/edXML:DocumentId',
      );
      const implicit = await postXml(
        hub2,
        bclerks[0]!.token,
        '/api/v1/edxml',
        await forged((p) => {
          p.header.documentId = `${from.code},2026/11/28,99998/UBND-VP`;
          p.header.responseFor = [];
          p.bussiness = { docType: 2, reason: 'Cập nhật văn bản điện tử' };
        }),
      );
      expect(implicit.status).to.equal(404);
      expect(implicit.body.detail).to.include('edXML:MessageHeader/edXML:DocumentId');
      const wrongSender = await postXml(
        hub2,
        bclerks[1]!.token,
        '/api/v1/edxml',
        await forged((p) => {
          p.header.from = { organId: b[1]!.code, organName: b[1]!.name };
          p.header.to = [{ organId: b[0]!.code, organName: b[0]!.name }];
          p.bussiness = { docType: 1, reason: 'Thu hồi văn bản điện tử', documentId: originalId };
        }),
      );
      expect(wrongSender.status, JSON.stringify(wrongSender.body)).to.equal(403);
      expect(wrongSender.body.reason).to.equal('EDXML_NOT_ORIGINAL_SENDER');
      expect(wrongSender.body.detail).to.include('edXML:MessageHeader/edXML:From/edXML:OrganId');
      const crowded = await postXml(
        hub2,
        bclerks[0]!.token,
        '/api/v1/edxml',
        await forged((p) => {
          for (let i = 0; i < PACKAGE_LIMITS.maxAttachments; i++) {
            p.attachments.push({
              contentId: `cid:pl${i}`,
              name: `phu-luc-${i}.txt`,
              contentType: 'text/plain',
              bytes: new Uint8Array([65 + i]),
            });
          }
        }),
      );
      expect(crowded.status).to.equal(422);
      expect(crowded.body.reason).to.equal('EDXML_TOO_MANY_ATTACHMENTS');
      expect(crowded.body.detail).to.include(
        `AttachmentEncoded/Attachment[${PACKAGE_LIMITS.maxAttachments + 1}]`,
      );
      expect(await snapshot()).to.equal(before);
    });
  });

  describe('several attachments', () => {
    let issuer: TOrg;
    let issuerCode: string;
    let sealSigner: XmlSigner;
    let recipient2: TOrg;
    let clerk2: TestUser;
    let hubAdmin2: TestUser;
    let files: EdxmlAttachment[];

    before(async () => {
      issuer = await makeOrg(hub.ctx, { name: 'Sở Nội vụ' });
      issuerCode = issuer.code; // of hub 1; known on hub 2 as external
      await issueSeal(issuer);
      sealSigner = (await signerForOrg(hub.ctx, issuer.id)).signer;
      await createOrg(
        hub2.ctx,
        { code: issuerCode, name: issuer.name, kind: 'agency', level: 'unit', contact: {} },
        true,
      );
      recipient2 = await makeOrg(hub2.ctx);
      clerk2 = await makeUser(hub2, recipient2, ['clerk']);
      hubAdmin2 = await makeUser(hub2, await makeOrg(hub2.ctx), ['hub_admin']);
      files = [
        {
          contentId: 'cid:main',
          name: '45-UBND-VP.pdf',
          contentType: 'application/pdf',
          bytes: await tinyPdf('Cong van 45'),
        },
        {
          contentId: 'cid:pl1',
          name: 'Phụ lục 1.pdf',
          contentType: 'application/pdf',
          bytes: await tinyPdf('Phu luc 1'),
        },
        {
          contentId: 'cid:pl2',
          name: 'Biểu mẫu.docx',
          contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          bytes: new Uint8Array(randomBytes(3000)),
        },
        {
          contentId: 'cid:pl3',
          name: 'ghi-chu.txt',
          contentType: 'text/plain',
          bytes: new Uint8Array(Buffer.from('<script>alert(1)</script>')),
        },
      ];
    });

    function pkgWith(attachments: EdxmlAttachment[], number = '45'): Promise<string> {
      const p = samplePackage(attachments[0]!.bytes);
      p.header.from = { organId: issuerCode, organName: 'Sở Nội vụ' };
      p.header.to = [{ organId: recipient2.code, organName: recipient2.name }];
      p.header.code = { number, notation: 'SNV-VP' };
      p.header.documentId = `${issuerCode},2026/11/28,${number}/SNV-VP`;
      p.attachments = attachments;

      return writePackage(p, sealSigner);
    }

    const importAs = importXml;

    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

    it('imports every attachment, serves each, and exports them again in order, byte for byte', async () => {
      const out = await importAs(hub2, clerk2.token, await pkgWith(files), 201);
      expect(out.ignoredAttachments).to.deep.equal([]);
      expect(out.attachments.map((a) => [a.name, a.size])).to.deep.equal(
        files.slice(1).map((f) => [f.name, f.bytes.length]),
      );
      const reader = call(hub2, clerk2.token);
      const list = await reader(API.edxml.attachments, { params: { id: out.documentId } });
      const items = list.body.items;
      expect(items.map((a) => a.name)).to.deep.equal(files.slice(1).map((f) => f.name));
      for (const [i, a] of items.entries()) {
        const res = await reader(API.edxml.attachment, {
          params: { id: out.documentId, attachmentId: a.id },
        });
        expect(res.status).to.equal(200);
        expect(same(res.body, files[i + 1]!.bytes)).to.equal(true);
        expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(res.headers.get('content-type')).to.match(
          a.contentType === 'application/pdf' ? /^application\/pdf/ : /^application\/octet-stream/,
        );
      }
      const stranger = await call(
        hub2,
        (await makeUser(hub2, await makeOrg(hub2.ctx), ['clerk'])).token,
      )(API.edxml.attachment, { params: { id: out.documentId, attachmentId: items[0]!.id } });
      expect(stranger.status).to.equal(404);
      const again = await importAs(hub2, clerk2.token, await pkgWith(files), 200);
      expect(again.attachments.map((a) => a.id)).to.deep.equal(out.attachments.map((a) => a.id));
      const xml = (
        await fetchText(hub2, hubAdmin2.token, `/api/v1/dispatches/${out.dispatchId}/edxml`)
      ).text;
      const back = parsePackage(xml);
      expect(back.attachments.map((a) => [a.name, a.contentType])).to.deep.equal(
        files.map((f) => [f.name, f.contentType]),
      );
      back.attachments.forEach((a, i) =>
        expect(same(a.bytes, files[i]!.bytes), a.name).to.equal(true),
      );
      expect(back.manifest).to.have.length(files.length);
      // and once more through hub 1: hub → package → hub → package keeps every byte. Hub 2
      // signed that package with its own seal, which speaks for nobody on hub 1: the issuer
      // carries it home itself
      await makeOrg(hub.ctx, { code: recipient2.code, name: recipient2.name });
      const issuerClerk = await makeUser(hub, issuer, ['clerk']);
      const on1 = await importAs(hub, issuerClerk.token, xml, 201);
      const admin1 = await makeUser(hub, await makeOrg(hub.ctx), ['hub_admin']);
      const xml1 = (
        await fetchText(hub, admin1.token, `/api/v1/dispatches/${on1.dispatchId}/edxml`)
      ).text;
      parsePackage(xml1).attachments.forEach((a, i) =>
        expect(same(a.bytes, files[i]!.bytes), a.name).to.equal(true),
      );
    });

    it('keeps the attachments of an update with its new version', async () => {
      const update = samplePackage(await tinyPdf('Cong van 45 (sua)'));
      update.header.from = { organId: issuerCode, organName: 'Sở Nội vụ' };
      update.header.to = [{ organId: recipient2.code, organName: recipient2.name }];
      update.bussiness = {
        docType: 2,
        reason: 'Cập nhật văn bản điện tử',
        documentId: `${issuerCode},2026/11/28,45/SNV-VP`,
      };
      update.attachments.push({ ...files[2]!, contentId: 'cid:bm' });
      const out = await importAs(hub2, clerk2.token, await writePackage(update, sealSigner), 201);
      expect(out.attachments.map((a) => a.name)).to.deep.equal([files[2]!.name]);
      const kept = await EdxmlAttachments(hub2.ctx.db.conn)
        .find({ versionId: out.change?.originals[0]!.versionId })
        .lean();
      expect(kept.map((k) => k.size)).to.deep.equal([files[2]!.bytes.length]);
    });

    it('answers attachments over the size limit with a 413 naming the attachment', async () => {
      const xml = await pkgWith(files);
      const limits = { maxAttachments: 20, maxAttachmentBytes: files[0]!.bytes.length + 10 };
      try {
        readPackage(xml, limits);
        expect.fail('expected a 413');
      } catch (err) {
        expect(err).to.be.instanceOf(AppError);
        expect((err as AppError).status).to.equal(413);
        expect((err as AppError).extra).to.deep.equal({
          reason: 'EDXML_ATTACHMENTS_TOO_LARGE',
          element: 'AttachmentEncoded/Attachment[2]',
        });
      }
    });

    it('refuses the same document with other attachments (409), nothing kept', async () => {
      const first = await importAs(hub2, clerk2.token, await pkgWith(files.slice(0, 2), '46'), 201);
      const other = [...files.slice(0, 1), { ...files[1]!, bytes: await tinyPdf('Phu luc khac') }];
      const before = await EdxmlAttachments(hub2.ctx.db.conn).countDocuments();
      const res = await postXml(hub2, clerk2.token, '/api/v1/edxml', await pkgWith(other, '46'));
      expect(res.status).to.equal(409);
      expect(await EdxmlAttachments(hub2.ctx.db.conn).countDocuments()).to.equal(before);
      expect(first.attachments).to.have.length(1);
    });
  });

  describe('hub edXML seal', () => {
    it('is created once by two nodes starting together, and replaced once after a revocation', async () => {
      const env = { LIENTHONG_MASTER_KEY: 'ab'.repeat(32) };
      const db = testDbName('edxmlseal');
      const [a, b] = await Promise.all([startTestHub(env, db), startTestHub(env, db)]);
      try {
        const [sa, sb] = await Promise.all([hubEdxmlSeal(a.ctx), hubEdxmlSeal(b.ctx)]);
        expect(sa.serialHex).to.equal(sb.serialHex);
        expect(await HubSeals(a.ctx.db.conn).countDocuments()).to.equal(1);
        const record = await IssuedCertificates(a.ctx.db.conn)
          .findOne({ serialHex: sa.serialHex })
          .lean();
        expect(record).to.include({ kind: 'seal', status: 'good', orgId: null });
        const org = await makeOrg(a.ctx);
        const hubAdmin = await makeUser(a, org, ['hub_admin']);
        const revoked = await api(a, hubAdmin.token)(
          'POST',
          `/api/v1/certificates/${String(record!._id)}/revoke`,
          { reason: 4 },
        );
        expect(revoked.status, JSON.stringify(revoked.body)).to.equal(200);
        const [na, nb] = await Promise.all([hubEdxmlSeal(a.ctx), hubEdxmlSeal(b.ctx)]);
        expect(na.serialHex).to.not.equal(sa.serialHex);
        expect(nb.serialHex).to.equal(na.serialHex);
        expect(await HubSeals(a.ctx.db.conn).countDocuments()).to.equal(1);
        expect(await hubEdxmlSeal(b.ctx)).to.equal(nb);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});
