/**
 * Security issue #26, C2/H1/M6 (edXML): a package's sender is bound to the credentials it came
 * with or to a trusted seal naming it, unknown senders wait in quarantine for a hub_admin,
 * wrapped XML signatures are refused, and exporting a confidential document is audited.
 * Real hub over HTTP, real MongoDB engine; forged packages are made with the library's writer
 * and openssl keys, wrapping attacks by moving parts of a correctly signed package.
 */
import { expect } from 'chai';
import { Types } from 'mongoose';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import {
  EDXML_NS,
  packageXml,
  verifyXmlSignature,
  writePackage,
  writeStatus,
  type EdxmlPackage,
  type XmlSigner,
} from '../../server/src/lib/edxml/index.js';
import { signEnveloped } from '../../server/src/lib/edxml/xml-signature.js';
import type { Hub } from '../../server/src/hub.js';
import { AuditLog } from '../../server/src/modules/audit/audit.model.js';
import { Documents, readVersionBytes } from '../../server/src/modules/documents/index.js';
import { signerForOrg } from '../../server/src/modules/edxml/edxml-signer.js';
import { Events } from '../../server/src/modules/events/event.model.js';
import { Deliveries, Dispatches } from '../../server/src/modules/exchange/delivery.model.js';
import { Orgs } from '../../server/src/modules/orgs/org.model.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import {
  cleanup,
  hasTool,
  opensslKey,
  samplePackage,
  xmlsecVerifyWithRoot,
  type TestKey,
} from '../server/edxml/helpers.js';
import { API, call } from '../support/call.js';

type Answer = {
  status: number;
  body: Record<string, unknown> & { reason?: string; detail?: string; code?: string };
};

function postXml(hub: Hub, token: string, path: string, xml: string): Promise<Answer> {
  return fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' },
    body: xml,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Answer['body'] }));
}

const SIGNATURE =
  /<Signature xmlns="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#">[\s\S]*<\/Signature>/;

describe('security: edXML identity is bound, not claimed (issue #26 C2, H1, M6)', function () {
  this.timeout(120_000);
  let hub: Hub;
  let a: TOrg; // the claimed sender
  let b: TOrg; // a recipient
  let x: TOrg; // another agency, with its own seal
  let clerkA: TestUser;
  let adminA: TestUser;
  let clerkB: TestUser;
  let clerkX: TestUser;
  let hubAdmin: TestUser;
  let self: TestKey; // a self-made certificate that says it is A
  let sealA: XmlSigner;
  let sealX: XmlSigner;
  let serial = 100;

  before(async () => {
    hub = await startTestHub();
    a = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa' });
    b = await makeOrg(hub.ctx, { name: 'UBND huyện Hoằng Hóa' });
    x = await makeOrg(hub.ctx, { name: 'Sở Tài chính' });
    clerkA = await makeUser(hub, a, ['clerk']);
    adminA = await makeUser(hub, a, ['org_admin']);
    clerkB = await makeUser(hub, b, ['clerk']);
    clerkX = await makeUser(hub, x, ['clerk']);
    hubAdmin = await makeUser(hub, await makeOrg(hub.ctx), ['hub_admin']);
    for (const org of [a, x]) {
      const seal = await api(hub, hubAdmin.token)('POST', '/api/v1/certificates/seal', {
        orgId: org.id,
      });
      expect(seal.status, JSON.stringify(seal.body)).to.equal(201);
    }
    sealA = (await signerForOrg(hub.ctx, a.id)).signer;
    sealX = (await signerForOrg(hub.ctx, x.id)).signer;
    self = opensslKey('rsa');
  });
  after(async () => {
    cleanup(self);
    await hub.close();
  });

  /** A new document from `from` to B, a fresh number each time. */
  async function pkgFrom(from: { organId: string; organName: string }): Promise<EdxmlPackage> {
    const n = String(serial++);
    const p = samplePackage(await tinyPdf(`Cong van ${n}`));
    p.header.from = from;
    p.header.to = [{ organId: b.code, organName: b.name }];
    p.header.code = { number: n, notation: 'UBND-VP' };
    p.header.documentId = `${from.organId},2026/11/28,${n}/UBND-VP`;

    return p;
  }

  const asA = () => ({ organId: a.code, organName: a.name });

  /** What a forged import must not have touched. */
  async function counts() {
    const conn = hub.ctx.db.conn;

    return {
      documents: await Documents(conn).countDocuments(),
      deliveries: await Deliveries(conn).countDocuments(),
      dispatches: await Dispatches(conn).countDocuments(),
      events: await Events(conn).countDocuments(),
      orgs: await Orgs(conn).countDocuments(),
    };
  }

  describe('C2: the sender is bound', () => {
    it('refuses an unsigned package in another agency name with 403, nothing filed or dispatched', async () => {
      const before = await counts();
      const unsigned = packageXml(await pkgFrom(asA())).replace('<!--edxml:signature-->', '');
      for (const who of [clerkB, clerkX, hubAdmin]) {
        const res = await postXml(hub, who.token, '/api/v1/edxml', unsigned);
        expect(res.status, JSON.stringify(res.body)).to.equal(403);
        expect(res.body.reason).to.equal('EDXML_SENDER_MISMATCH');
        expect(res.body.detail).to.include(a.code);
      }
      expect(await counts()).to.deep.equal(before);
    });

    it('refuses a package in another agency name under a self-made signature (403), nothing filed', async () => {
      const before = await counts();
      const xml = await writePackage(await pkgFrom(asA()), self.signer);
      expect(verifyXmlSignature(xml).valid).to.equal(true); // it verifies, it is just not trusted
      for (const who of [clerkB, hubAdmin]) {
        const res = await postXml(hub, who.token, '/api/v1/edxml', xml);
        expect(res.status, JSON.stringify(res.body)).to.equal(403);
        expect(res.body.reason).to.equal('EDXML_SENDER_MISMATCH');
        expect(res.body.detail).to.match(/không chuỗi về chứng thư gốc/);
      }
      expect(await counts()).to.deep.equal(before);
    });

    it("refuses a package signed by another agency's trusted seal (X) that claims to come from A (403)", async () => {
      const before = await counts();
      const xml = await writePackage(await pkgFrom(asA()), sealX);
      for (const who of [clerkB, hubAdmin]) {
        const res = await postXml(hub, who.token, '/api/v1/edxml', xml);
        expect(res.status, JSON.stringify(res.body)).to.equal(403);
        expect(res.body.reason).to.equal('EDXML_SENDER_MISMATCH');
        expect(res.body.detail).to.include(`không mang mã định danh ${a.code}`);
      }
      // X itself is neither From nor To of the package
      expect((await postXml(hub, clerkX.token, '/api/v1/edxml', xml)).status).to.equal(403);
      expect(await counts()).to.deep.equal(before);
    });

    it("imports the caller's own package (201) and one that A's seal signed, relayed by a recipient (201)", async () => {
      const own = await postXml(
        hub,
        clerkA.token,
        '/api/v1/edxml',
        await writePackage(await pkgFrom(asA()), self.signer),
      );
      expect(own.status, JSON.stringify(own.body)).to.equal(201);
      expect(own.body.xmlSignature).to.include({ trusted: false });
      const relayed = await postXml(
        hub,
        clerkB.token,
        '/api/v1/edxml',
        await writePackage(await pkgFrom(asA()), sealA),
      );
      expect(relayed.status, JSON.stringify(relayed.body)).to.equal(201);
      expect(relayed.body.xmlSignature).to.include({ trusted: true });
      expect(relayed.body.sender).to.include({ code: a.code, created: false });
    });

    it('binds the sender of a status message the same way', async () => {
      const doc = await makeDocument(hub, clerkA, { notation: 'UBND-TT' });
      const sent = await call(hub, clerkA.token)(API.exchange.dispatch, {
        body: {
          documentId: doc.id,
          recipients: [b.id],
        },
      });
      expect(sent.status).to.equal(201);
      const d = sent.body;
      const exported = await fetch(`${hub.url}/api/v1/dispatches/${d.id}/edxml`, {
        headers: { authorization: `Bearer ${clerkA.token}` },
      }).then((r) => r.text());
      const documentId = /<edXML:DocumentId>([^<]+)</.exec(exported)![1]!;
      const status = (signer: XmlSigner) =>
        writeStatus(
          {
            responseFor: {
              organId: a.code,
              code: `${doc.meta.number}/UBND-TT`,
              promulgationDate: '2026-11-28',
              documentId,
            },
            from: { organId: b.code, organName: b.name },
            statusCode: '03',
            description: '',
            timestamp: new Date(),
          },
          signer,
        );
      const forged = await status(self.signer);
      for (const who of [clerkX, hubAdmin]) {
        const res = await postXml(hub, who.token, '/api/v1/edxml/status', forged);
        expect(res.status, JSON.stringify(res.body)).to.equal(403);
      }
      const wrongSeal = await postXml(
        hub,
        hubAdmin.token,
        '/api/v1/edxml/status',
        await status(sealX),
      );
      expect(wrongSeal.status).to.equal(403);
      expect(
        (await Deliveries(hub.ctx.db.conn).findOne({ dispatchId: d.id }).lean())!.status,
      ).to.equal('01');
      const own = await postXml(hub, clerkB.token, '/api/v1/edxml/status', forged);
      expect(own.status, JSON.stringify(own.body)).to.equal(200);
    });
  });

  describe('C2: unknown senders wait in quarantine', () => {
    const evilName = '=HYPERLINK("http://evil.example/x","Bấm vào đây")\u202E';
    let unknownCode: string;
    let held: Answer;

    before(async () => {
      unknownCode = `000.00.99.Q${String(Date.now()).slice(-4)}`;
    });

    it('answers 202 with a quarantine id and creates no organization, document or delivery', async () => {
      const before = await counts();
      const xml = await writePackage(
        await pkgFrom({ organId: unknownCode, organName: evilName }),
        self.signer,
      );
      held = await postXml(hub, clerkB.token, '/api/v1/edxml', xml);
      expect(held.status, JSON.stringify(held.body)).to.equal(202);
      expect(held.body).to.include({ quarantined: true, replayed: false });
      expect(held.body.quarantineId).to.be.a('string');
      expect(await counts()).to.deep.equal(before);
      expect(await Orgs(hub.ctx.db.conn).countDocuments({ code: unknownCode })).to.equal(0);
      const again = await postXml(hub, clerkB.token, '/api/v1/edxml', xml);
      expect(again.status).to.equal(202);
      expect(again.body).to.include({ quarantineId: held.body.quarantineId, replayed: true });
      const row = await AuditLog(hub.ctx.db.conn)
        .findOne({ action: 'edxml.quarantined', 'target.id': held.body.quarantineId })
        .lean();
      expect(row!.actor).to.include({ id: clerkB.id, kind: 'user', orgId: b.id });
    });

    it('is seen, released and rejected by hub_admin only (403 for others)', async () => {
      const id = held.body.quarantineId as string;
      for (const who of [clerkB, adminA]) {
        const list = await api(hub, who.token)('GET', '/api/v1/edxml/quarantine');
        expect(list.status).to.equal(403);
        const rel = await api(hub, who.token)('POST', `/api/v1/edxml/quarantine/${id}/release`);
        expect(rel.status).to.equal(403);
        const rej = await api(hub, who.token)('POST', `/api/v1/edxml/quarantine/${id}/reject`, {
          reason: 'Không rõ nguồn',
        });
        expect(rej.status).to.equal(403);
      }
      const list = await call(hub, hubAdmin.token)(API.edxml.quarantine, {
        query: { state: 'pending' },
      });
      expect(list.status).to.equal(200);
      const items = list.body.items;
      expect(items.map((i) => i.id)).to.include(id);
      expect(items.find((i) => i.id === id)!.header.from.organId).to.equal(unknownCode);
      // the stored entry (raw collection: the test also runs, and fails, on the base commit)
      const stored = await hub.ctx.db.conn
        .collection('edxmlquarantines')
        .findOne({ _id: new Types.ObjectId(id) });
      expect(stored!.state).to.equal('pending');
    });

    it('released by hub_admin: the organization is created external with a neutralised name, then the package is imported', async () => {
      const id = held.body.quarantineId as string;
      const res = await call(hub, hubAdmin.token)(API.edxml.release, { params: { id } });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      const org = await Orgs(hub.ctx.db.conn).findOne({ code: unknownCode }).lean();
      expect(org!.external).to.equal(true);
      expect(org!.name).to.equal('HYPERLINK("http://evil.example/x","Bấm vào đây")');
      expect(org!.name).to.not.match(/^[=+\-@]/);
      const imported = res.body.import;
      expect(imported.sender.created).to.equal(true);
      const doc = await Documents(hub.ctx.db.conn).findById(imported.documentId).lean();
      expect(String(doc!.orgId)).to.equal(String(org!._id));
      expect(
        await Deliveries(hub.ctx.db.conn).countDocuments({
          documentId: doc!._id,
          recipientOrgId: b.id,
        }),
      ).to.equal(1);
      const row = await AuditLog(hub.ctx.db.conn)
        .findOne({ action: 'edxml.quarantine.released', 'target.id': id })
        .lean();
      expect(row!.actor).to.include({ id: hubAdmin.id, kind: 'user' });
      expect(row!.details).to.include({ orgCreated: true, documentId: imported.documentId });
      const twice = await api(hub, hubAdmin.token)(
        'POST',
        `/api/v1/edxml/quarantine/${id}/release`,
      );
      expect(twice.status).to.equal(409);
    });

    it('rejected by hub_admin with a reason: nothing imported, audited', async () => {
      const code = `000.00.98.R${String(Date.now()).slice(-4)}`;
      const xml = await writePackage(
        await pkgFrom({ organId: code, organName: 'Cơ quan lạ' }),
        self.signer,
      );
      const q = await postXml(hub, clerkB.token, '/api/v1/edxml', xml);
      expect(q.status).to.equal(202);
      const id = q.body.quarantineId as string;
      const before = await counts();
      const noReason = await api(hub, hubAdmin.token)(
        'POST',
        `/api/v1/edxml/quarantine/${id}/reject`,
        {},
      );
      expect(noReason.status).to.equal(400);
      const res = await api(hub, hubAdmin.token)('POST', `/api/v1/edxml/quarantine/${id}/reject`, {
        reason: 'Không xác minh được cơ quan gửi',
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(await counts()).to.deep.equal(before);
      const row = await AuditLog(hub.ctx.db.conn)
        .findOne({ action: 'edxml.quarantine.rejected', 'target.id': id })
        .lean();
      expect(row!.details).to.include({ reason: 'Không xác minh được cơ quan gửi' });
      const release = await api(hub, hubAdmin.token)(
        'POST',
        `/api/v1/edxml/quarantine/${id}/release`,
      );
      expect(release.status).to.equal(409);
      expect(await Orgs(hub.ctx.db.conn).countDocuments({ code })).to.equal(0);
    });
  });

  describe('H1: XML signature wrapping', () => {
    let genuine: string;
    let genuineSubject: string;

    before(async () => {
      const p = await pkgFrom(asA());
      genuineSubject = p.header.subject;
      genuine = await writePackage(p, sealA);
    });

    async function refused(xml: string, why: RegExp) {
      const before = await counts();
      for (const who of [clerkA, clerkB]) {
        const res = await postXml(hub, who.token, '/api/v1/edxml', xml);
        expect(res.status, JSON.stringify(res.body)).to.equal(422);
        expect(res.body.reason).to.equal('EDXML_SIGNATURE_INVALID');
        expect(res.body.detail).to.match(why);
      }
      expect(await counts()).to.deep.equal(before);
      expect(() => verifyXmlSignature(xml)).to.throw(why);
    }

    it('the genuine package verifies (xml-crypto, xmlsec1 with the hub root)', async () => {
      expect(verifyXmlSignature(genuine).valid).to.equal(true);
      expect(hasTool('xmlsec1')).to.equal(true);
      const root = await (await fetch(`${hub.url}/pki/root-ca.pem`)).text();
      const v = xmlsecVerifyWithRoot(genuine, root);
      expect(v.status, v.out).to.equal(0);
    });

    it('refuses the Signature moved to the front with a forged MessageHeader in an Object', async () => {
      const sig = SIGNATURE.exec(genuine)![0];
      const header = /<edXML:MessageHeader>[\s\S]*<\/edXML:MessageHeader>/.exec(genuine)![0];
      const forgedHeader = header
        .replace('<edXML:MessageHeader>', `<edXML:MessageHeader xmlns:edXML="${EDXML_NS}">`)
        .replace(genuineSubject, 'Giả mạo: chuyển tiền ngay');
      const wrapped = genuine
        .replace(sig, '')
        .replace(
          `<edXML xmlns="${EDXML_NS}">`,
          `<edXML xmlns="${EDXML_NS}">${sig.replace('</Signature>', `<Object>${forgedHeader}</Object></Signature>`)}`,
        );
      await refused(wrapped, /not at its place/);
    });

    it('refuses a forged AttachmentEncoded hidden in an Object of the Signature (read first by a deep search)', async () => {
      const sig = SIGNATURE.exec(genuine)![0];
      const forgedPdf = Buffer.from(await tinyPdf('Noi dung gia mao')).toString('base64');
      const enc = /<AttachmentEncoded>[\s\S]*<\/AttachmentEncoded>/.exec(genuine)![0];
      const forgedEnc = enc
        .replace('<AttachmentEncoded>', `<AttachmentEncoded xmlns="${EDXML_NS}">`)
        .replace(/(<edXML:ContentTransferEncoded[^>]*>)[^<]*/, `$1${forgedPdf}`);
      const wrapped = genuine.replace(
        sig,
        sig.replace('</Signature>', `<Object>${forgedEnc}</Object></Signature>`),
      );
      await refused(wrapped, /Signature carries Object/);
    });

    it('refuses a signed package in which an Id value appears twice', async () => {
      const text = packageXml(await pkgFrom(asA()))
        .replace('<edXML:MessageHeader>', '<edXML:MessageHeader Id="msg">')
        .replace('<edXML:TraceHeaderList>', '<edXML:TraceHeaderList Id="msg">');
      const xml = await signEnveloped(text, sealA);
      await refused(xml, /Id value "msg" appears more than once/);
    });

    it('refuses a Reference to anything but the whole package, and a second Signature', async () => {
      const byId = genuine.replace('<Reference URI="">', '<Reference URI="#msg">');
      await refused(byId, /Reference with URI=""/);
      const sig = SIGNATURE.exec(genuine)![0];
      await refused(genuine.replace(sig, `${sig}${sig}`), /more than one Signature/);
    });

    it('refuses transforms other than enveloped-signature + C14N', () => {
      const xpath = genuine.replace(
        /<Transform Algorithm="http:\/\/www\.w3\.org\/2001\/10\/xml-exc-c14n#"\/>/,
        '<Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><XPath>1</XPath></Transform>',
      );
      expect(xpath).to.not.equal(genuine);
      expect(() => verifyXmlSignature(xpath)).to.throw(/transforms .* are not accepted/);
    });

    it('imports what the signature covers: the PDF filed is the signed one', async () => {
      const res = await postXml(hub, clerkB.token, '/api/v1/edxml', genuine);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.xmlSignature).to.include({ trusted: true });
      const doc = await Documents(hub.ctx.db.conn).findById(res.body.documentId).lean();
      expect(doc!.meta.subject).to.equal(genuineSubject);
      const bytes = await readVersionBytes(hub.ctx, String(doc!.versions[0]!._id));
      const signedPdf = /<edXML:ContentTransferEncoded[^>]*>([^<]*)</.exec(genuine)![1]!;
      expect(bytes.equals(Buffer.from(signedPdf, 'base64'))).to.equal(true);
    });
  });

  describe('M6: exporting a confidential document is audited', () => {
    it('writes an audit row naming the API key (and the user) before the package is handed over', async () => {
      const key = await api(hub, adminA.token)('POST', '/api/v1/api-keys', {
        name: 'hệ thống QLVB',
        roles: ['clerk'],
      });
      expect(key.status, JSON.stringify(key.body)).to.equal(201);
      const exportAs = async (
        headers: Record<string, string>,
        confidentiality: 'mat' | 'thuong',
      ) => {
        const doc = await makeDocument(hub, clerkA, { notation: 'UBND-MAT', confidentiality });
        const sent = await call(hub, clerkA.token)(API.exchange.dispatch, {
          body: {
            documentId: doc.id,
            recipients: [b.id],
          },
        });
        expect(sent.status).to.equal(201);
        const d = sent.body;
        const res = await fetch(`${hub.url}/api/v1/dispatches/${d.id}/edxml`, { headers });
        expect(res.status).to.equal(200);
        await res.text();

        return AuditLog(hub.ctx.db.conn)
          .find({ action: 'edxml.exported-confidential', 'target.id': doc.id })
          .lean();
      };
      const byKey = await exportAs({ 'x-api-key': String(key.body.key) }, 'mat');
      expect(byKey).to.have.length(1);
      expect(byKey[0]!.actor).to.include({ kind: 'api-key', id: key.body.id, orgId: a.id });
      expect(byKey[0]!.details).to.include({ confidentiality: 'mat', apiKeyId: key.body.id });
      const byUser = await exportAs({ authorization: `Bearer ${clerkA.token}` }, 'mat');
      expect(byUser).to.have.length(1);
      expect(byUser[0]!.actor).to.include({ kind: 'user', id: clerkA.id });
      const normal = await exportAs({ authorization: `Bearer ${clerkA.token}` }, 'thuong');
      expect(normal).to.have.length(0);
    });
  });
});
