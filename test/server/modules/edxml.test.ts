import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import type { TDelivery, TDispatch } from '../../../server/src/contracts/exchange.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import {
  parsePackage,
  parseStatus,
  verifyXmlSignature,
  writeStatus,
  type EdxmlStatus,
} from '../../../server/src/edxml/index.js';
import type { Hub } from '../../../server/src/hub.js';
import { readVersionBytes } from '../../../server/src/modules/documents/index.js';
import { hubPki } from '../../../server/src/modules/pki/hub-hierarchy.js';
import { HubSeals, hubEdxmlSeal } from '../../../server/src/modules/pki/hub-seal.js';
import { IssuedCertificates } from '../../../server/src/modules/pki/models.js';
import { Orgs } from '../../../server/src/modules/orgs/org.model.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub, testDbName } from '../../support/hub.js';
import {
  cleanup,
  hasTool,
  opensslKey,
  opensslCertText,
  runOnXml,
  xmlsecVerifyWithRoot,
  type TestKey,
} from '../edxml/helpers.js';

async function rootPem(hub: Hub): Promise<string> {
  return (await fetch(`${hub.url}/pki/root-ca.pem`)).text();
}

async function fetchText(hub: Hub, token: string, path: string) {
  const res = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  return { status: res.status, headers: res.headers, text: await res.text() };
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

  before(async () => {
    [hub, hub2] = await Promise.all([startTestHub(), startTestHub()]);
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
  });

  async function dispatch(): Promise<TDispatch> {
    const doc = await makeDocument(hub, clerk, { dueDate: '2026-12-05', urgency: 'thuong_khan' });
    const res = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
      documentId: doc.id,
      recipients: recipients.map((r) => r.id),
    });
    expect(res.status).to.equal(201);

    return res.body as unknown as TDispatch;
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
      const all = await api(hub, clerk.token)(
        'GET',
        `/api/v1/deliveries/${delivery.id}/status-messages`,
      );
      const items = all.body.items as { code: string; xml: string }[];
      expect(items.map((i) => i.code)).to.deep.equal(['01', '03']);
      const one = await fetchText(
        hub,
        clerk.token,
        `/api/v1/deliveries/${delivery.id}/status-messages?code=03`,
      );
      expect(one.status).to.equal(200);
      const s = parseStatus(one.text);
      expect(s.statusCode).to.equal('03');
      expect(s.from.organId).to.equal(recipients[0]!.code);
      expect(s.staffInfo?.staff).to.equal('Trần Văn Nhận');
      const exported = await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`);
      expect(s.responseFor.documentId).to.equal(parsePackage(exported.text).header.documentId);
      expect(verifyXmlSignature(one.text).valid).to.equal(true);
      const none = await fetchText(
        hub,
        clerk.token,
        `/api/v1/deliveries/${delivery.id}/status-messages?code=06`,
      );
      expect(none.status).to.equal(404);
    });
  });

  describe('POST /edxml/status', () => {
    async function statusFor(d: TDispatch, code: EdxmlStatus['statusCode'], description = '') {
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
      const ok = await postXml(hub, rclerk.token, '/api/v1/edxml/status', await statusFor(d, '03'));
      expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
      expect((ok.body.delivery as TDelivery).status).to.equal('03');
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
    let d: TDispatch;
    let r2: TOrg[];
    let clerk2: TestUser;

    before(async () => {
      d = await dispatch();
      xml = (await fetchText(hub, clerk.token, `/api/v1/dispatches/${d.id}/edxml`)).text;
      r2 = [await makeOrg(hub2.ctx, { code: recipients[0]!.code, name: recipients[0]!.name })];
      clerk2 = await makeUser(hub2, r2[0]!, ['clerk']);
    });

    it('creates the document and deliveries on a second hub, sender as external; a repeat changes nothing', async () => {
      const res = await postXml(hub2, clerk2.token, '/api/v1/edxml', xml);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const out = res.body as unknown as {
        documentId: string;
        sender: { code: string; external: boolean; created: boolean };
        deliveries: { id: string; recipientCode: string }[];
        skippedRecipients: string[];
        xmlSignature: { trusted: boolean };
      };
      expect(out.sender).to.include({ code: sender.code, external: true, created: true });
      expect(out.deliveries.map((x) => x.recipientCode)).to.deep.equal([recipients[0]!.code]);
      expect(out.skippedRecipients).to.deep.equal([recipients[1]!.code]);
      expect(out.xmlSignature.trusted).to.equal(false);
      const senderOrg = await Orgs(hub2.ctx.db.conn).findOne({ code: sender.code }).lean();
      expect(senderOrg!.external).to.equal(true);
      const incoming = await api(hub2, clerk2.token)(
        'GET',
        `/api/v1/deliveries/${out.deliveries[0]!.id}`,
      );
      expect(incoming.status).to.equal(200);
      const delivery = incoming.body as unknown as TDelivery;
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
      const a = await postXml(hub2, clerk2.token, '/api/v1/edxml', unsigned);
      expect(a.status).to.equal(422);
      expect(a.body.reason).to.equal('EDXML_UNSIGNED');
      expect(a.body.detail).to.include('edXML:edXMLHeader/Signature');
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
