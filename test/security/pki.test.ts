/**
 * Security issue #26 (H2, M1, M2, M5, PKI limits): a personal certificate only for a key its
 * named holder submitted, external signatures only with a trusted certificate of the session's
 * signer, no weak keys, no pixel bombs as signature images, bounded OCSP requests and a rate
 * limit on /pki/*. Every reproduction of the report is refused here.
 */
import { expect } from 'chai';
import * as asn1js from 'asn1js';
import { randomBytes, sign as nativeSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { TDocument } from '../../server/src/contracts/documents.js';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { TCertificate } from '../../server/src/contracts/pki.js';
import type { Hub } from '../../server/src/hub.js';
import type { Principal } from '../../server/src/http/principal.js';
import { Users } from '../../server/src/modules/auth/user.model.js';
import { issuePersonalCertificate } from '../../server/src/modules/pki/certificates.service.js';
import { hubPki } from '../../server/src/modules/pki/hub-hierarchy.js';
import { IssuedCertificates } from '../../server/src/modules/pki/models.js';
import { SigningSessions } from '../../server/src/modules/signing/signing-session.model.js';
import { toPem } from '../../server/src/lib/pki/index.js';
import {
  TEST_PASSWORD,
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../support/factories.js';
import { startTestHub } from '../support/hub.js';
import { run, runCliSync } from '../support/process.js';
import { API, call } from '../support/call.js';

const uniq = () => randomBytes(3).toString('hex');

function openssl(args: string[]): string {
  const r = run('openssl', args);
  expect(r.status, `openssl ${args.join(' ')}\n${r.out}`).to.equal(0);

  return r.out;
}

/** A PNG of a few KB that declares width×height 1-bit grey pixels, all zero (zlib of zeros). */
function pixelBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);

    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc(height * (1 + Math.ceil(width / 8)));

  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** OCSPResponse.responseStatus (RFC 6960): 0 successful, 1 malformedRequest, … */
function ocspStatus(der: Uint8Array): number {
  const parsed = asn1js.fromBER(der);
  const seq = parsed.result as asn1js.Sequence;

  return (seq.valueBlock.value[0] as asn1js.Enumerated).valueBlock.valueDec;
}

/** `lienthong sign ARGS` in a child process, as an operator runs it. */
const cliSign = (args: string[]) => runCliSync(['sign', ...args]);

describe('security: keys and certificates only for their holders (issue #26)', function () {
  this.timeout(180_000);
  let hub: Hub;
  let dir: string;
  let org: TOrg;
  let otherOrg: TOrg;
  let orgAdmin: TestUser;
  let hubAdmin: TestUser;
  let leader: TestUser;
  let deputy: TestUser;
  let clerk: TestUser;
  let deputyCert: TCertificate;
  let leaderHubKey: TCertificate;
  const LEADER = 'Trần Văn Lãnh Đạo';
  const f = (name: string) => join(dir, name);
  const as = (u: TestUser) => api(hub, u.token);
  const principalOf = (u: TestUser): Principal => ({
    kind: 'user',
    id: u.id,
    orgId: u.orgId,
    roles: u.roles,
    name: 'x',
  });

  /** A key (openssl genpkey options) and a CSR for it, signed by that key. */
  function csrFor(name: string, keyOptions: string[]): string {
    openssl(['genpkey', ...keyOptions, '-out', f(`${name}.key`)]);
    openssl([
      'req',
      '-new',
      '-key',
      f(`${name}.key`),
      '-subj',
      '/CN=Ten tuy y',
      '-out',
      f(`${name}.csr`),
    ]);

    return readFileSync(f(`${name}.csr`), 'utf8');
  }
  const EC = (curve: string) => ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`];
  const RSA = (bits: number) => ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`];

  const LEAF_EXT = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,nonRepudiation',
  ].join('\n');

  /** A certificate of the test "national" CA (in TRUST_DIR) for `subject`, with a fresh key. */
  function nationalCert(name: string, subject: string, keyOptions = EC('P-256')): string {
    openssl(['genpkey', ...keyOptions, '-out', f(`${name}.key`)]);
    openssl([
      'req',
      '-new',
      '-utf8',
      '-key',
      f(`${name}.key`),
      '-subj',
      subject,
      '-out',
      f(`${name}.csr`),
    ]);
    writeFileSync(f('leaf.ext'), LEAF_EXT);
    openssl([
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('trust/national-root.pem'),
      '-CAkey',
      f('national-root.key'),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '30',
      '-extfile',
      f('leaf.ext'),
      '-out',
      f(`${name}.pem`),
    ]);

    return readFileSync(f(`${name}.pem`), 'utf8');
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-sec-pki-'));
    mkdirSync(f('trust'));
    openssl(['genpkey', ...EC('P-256'), '-out', f('national-root.key')]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-utf8',
      '-key',
      f('national-root.key'),
      '-days',
      '365',
      '-subj',
      '/C=VN/O=Cơ quan chứng thực quốc gia (thử)/CN=National Test Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      f('trust/national-root.pem'),
    ]);
    hub = await startTestHub({ TRUST_DIR: f('trust') });
    org = await makeOrg(hub.ctx, { name: `Sở Tài chính tỉnh Thanh Hóa ${uniq()}` });
    otherOrg = await makeOrg(hub.ctx, { name: `Sở Xây dựng tỉnh Thanh Hóa ${uniq()}` });
    orgAdmin = await makeUser(hub, org, ['org_admin']);
    hubAdmin = await makeUser(hub, otherOrg, ['hub_admin']);
    leader = await makeUser(hub, org, ['signer'], LEADER);
    deputy = await makeUser(hub, org, ['signer'], 'Lê Thị Phó');
    clerk = await makeUser(hub, org, ['clerk']);
    await Users(hub.ctx.db.conn).updateOne({ _id: leader.id }, { $set: { title: 'Giám đốc' } });
    const pki = await hubPki(hub.ctx);
    writeFileSync(f('root-ca.pem'), toPem(pki.root.certificate));
    writeFileSync(f('issuing-ca.pem'), toPem(pki.issuing.certificate));
    // the deputy's own certificate for a key the deputy holds (service call: the same on any version)
    deputyCert = await issuePersonalCertificate(hub.ctx, principalOf(deputy), {
      userId: deputy.id,
      csr: csrFor('deputy', EC('P-256')),
      algorithm: 'p256',
    });
    const held = await call(hub, orgAdmin.token)(API.certificates.issuePersonal, {
      body: { userId: leader.id },
    });
    expect(held.status, JSON.stringify(held.body)).to.equal(201);
    leaderHubKey = held.body;
  });
  after(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const leaderCsrCerts = () =>
    IssuedCertificates(hub.ctx.db.conn).countDocuments({ userId: leader.id, keyOnHub: false });

  it("H2: an administrator's CSR for the leader is refused (403) and no certificate is recorded", async () => {
    const adminCsr = csrFor('admin-owned', EC('P-256'));
    for (const admin of [orgAdmin, hubAdmin]) {
      const r = await as(admin)('POST', '/api/v1/certificates/personal', {
        userId: leader.id,
        csr: adminCsr,
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(403);
      expect(r.body.code).to.equal('FORBIDDEN');
    }
    // another signer cannot ask for a certificate in the leader's name either
    const r = await as(deputy)('POST', '/api/v1/certificates/personal', {
      userId: leader.id,
      csr: adminCsr,
    });
    expect(r.status).to.equal(403);
    expect(await leaderCsrCerts()).to.equal(0);
  });

  it("H2: the leader's own CSR → 201, the CSR's key, the hub's name; openssl verifies the chain", async () => {
    const csr = csrFor('leader', EC('P-256'));
    const r = await call(hub, leader.token)(API.certificates.issuePersonal, {
      body: {
        userId: leader.id,
        csr,
      },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    const cert = r.body;
    expect(cert).to.include({
      kind: 'personal',
      userId: leader.id,
      keyOnHub: false,
      algorithm: 'p256',
    });
    writeFileSync(f('leader.pem'), cert.certificatePem);
    const verified = openssl([
      'verify',
      '-x509_strict',
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('issuing-ca.pem'),
      f('leader.pem'),
    ]);
    expect(verified).to.include(': OK');
    const text = openssl([
      'x509',
      '-in',
      f('leader.pem'),
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus_space',
    ]);
    expect(text).to.include(`CN=${LEADER}`);
    expect(openssl(['x509', '-in', f('leader.pem'), '-noout', '-pubkey'])).to.equal(
      openssl(['req', '-in', f('leader.csr'), '-noout', '-pubkey']),
    );
    expect(await leaderCsrCerts()).to.equal(1);
    // a user without the signer role gets no personal certificate, even for their own key
    const clerkTry = await as(clerk)('POST', '/api/v1/certificates/personal', {
      userId: clerk.id,
      csr: csrFor('clerk', EC('P-256')),
    });
    expect(clerkTry.status).to.equal(403);
  });

  it("H2: a second signer account carrying the leader's name gets no personal certificate (409)", async () => {
    // e.g. an account an administrator made for themselves with the leader's name
    const agency = await makeOrg(hub.ctx, { name: `Sở Y tế tỉnh Thanh Hóa ${uniq()}` });
    const admin = await makeUser(hub, agency, ['org_admin']);
    await makeUser(hub, agency, ['signer'], LEADER);
    const namesake = await makeUser(hub, agency, ['signer'], `  trần văn   LÃNH ĐẠO `);
    const count = () => IssuedCertificates(hub.ctx.db.conn).countDocuments({ userId: namesake.id });
    const refused = await issuePersonalCertificate(hub.ctx, principalOf(namesake), {
      userId: namesake.id,
      csr: csrFor('namesake', EC('P-256')),
      algorithm: 'p256',
    }).then(
      () => null,
      (err: unknown) => err as { code?: string },
    );
    expect(refused?.code).to.equal('CONFLICT');
    const own = await as(namesake)('POST', '/api/v1/certificates/personal', {
      userId: namesake.id,
      csr: readFileSync(f('namesake.csr'), 'utf8'),
    });
    expect(own.status, JSON.stringify(own.body)).to.equal(409);
    const held = await as(admin)('POST', '/api/v1/certificates/personal', { userId: namesake.id });
    expect(held.status, JSON.stringify(held.body)).to.equal(409);
    expect(await count()).to.equal(0);
  });

  it('M5: RSA-1024, RSA-512, P-521 and secp256k1 CSRs are refused (422 PKI_WEAK_KEY), nothing issued', async () => {
    const before = await leaderCsrCerts();
    // the issuing rule itself, in the service the route calls
    const refused = await issuePersonalCertificate(hub.ctx, principalOf(leader), {
      userId: leader.id,
      csr: csrFor('rsa1024-direct', RSA(1024)),
      algorithm: 'rsa2048',
    }).then(
      () => null,
      (err: unknown) => err as { code?: string },
    );
    expect(refused?.code).to.equal('PKI_WEAK_KEY');
    for (const [name, options] of [
      ['rsa1024', RSA(1024)],
      ['rsa512', RSA(512)],
      ['p521', EC('P-521')],
      ['k256', EC('secp256k1')],
    ] as const) {
      const r = await as(leader)('POST', '/api/v1/certificates/personal', {
        userId: leader.id,
        csr: csrFor(name, [...options]),
      });
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(r.body.reason, name).to.equal('PKI_WEAK_KEY');
    }
    expect(await leaderCsrCerts()).to.equal(before);
  });

  it('M5: `lienthong sign` refuses an RSA-1024 PKCS#12 (exit 2, PKI_WEAK_KEY)', async () => {
    writeFileSync(f('in.pdf'), await tinyPdf());
    openssl(['genpkey', ...RSA(1024), '-out', f('weak.key')]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      f('weak.key'),
      '-subj',
      '/CN=Weak Key',
      '-days',
      '30',
      '-addext',
      'keyUsage=critical,digitalSignature,nonRepudiation',
      '-out',
      f('weak.pem'),
    ]);
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      f('weak.key'),
      '-in',
      f('weak.pem'),
      '-passout',
      'pass:pw',
      '-out',
      f('weak.p12'),
    ]);
    const r = cliSign([
      '--in',
      f('in.pdf'),
      '--out',
      f('weak-out.pdf'),
      '--p12',
      f('weak.p12'),
      '--password',
      'pw',
    ]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.include('PKI_WEAK_KEY');
  });

  async function openSession(user: TestUser, doc: TDocument, body: Record<string, unknown>) {
    return as(user)('POST', `/api/v1/documents/${doc.id}/signing-sessions`, {
      level: 'B-B',
      ...body,
    });
  }
  async function nothingSigned(doc: TDocument): Promise<void> {
    const now = (await call(hub, clerk.token)(API.documents.get, { params: { id: doc.id } })).body;
    expect(now.versions).to.have.length(1);
    expect(await SigningSessions(hub.ctx.db.conn).countDocuments({ documentId: doc.id })).to.equal(
      0,
    );
  }

  it("M1: a self-made certificate carrying the leader's name is refused; nothing signed", async () => {
    const doc = await makeDocument(hub, clerk);
    openssl([
      'req',
      '-x509',
      '-new',
      '-utf8',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('self.key'),
      '-days',
      '30',
      '-subj',
      `/C=VN/O=${org.name}/title=Giám đốc/CN=${LEADER}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      'keyUsage=critical,digitalSignature,nonRepudiation',
      '-out',
      f('self.pem'),
    ]);
    const self = readFileSync(f('self.pem'), 'utf8');
    for (const body of [{ certificatePem: self }, { certificatePem: self, chainPem: self }]) {
      const r = await openSession(leader, doc, body);
      expect(r.status, JSON.stringify(r.body)).to.equal(422);
      expect(String(r.body.detail)).to.match(/tự tạo|tin cậy/);
    }
    await nothingSigned(doc);
  });

  it('M1: a hub certificate of another user (as PEM) is refused; nothing signed', async () => {
    const doc = await makeDocument(hub, clerk);
    const r = await openSession(leader, doc, { certificatePem: deputyCert.certificatePem });
    expect(r.status, JSON.stringify(r.body)).to.equal(403);
    // nor the leader's hub certificate presented by a namesake in another organization
    const stranger = await makeUser(hub, otherOrg, ['signer', 'clerk'], LEADER);
    const strangerDoc = await makeDocument(hub, stranger);
    const r2 = await openSession(stranger, strangerDoc, {
      certificatePem: leaderHubKey.certificatePem,
    });
    expect(r2.status, JSON.stringify(r2.body)).to.equal(403);
    await nothingSigned(doc);
    // its holder still signs with it
    const own = await openSession(deputy, doc, { certificatePem: deputyCert.certificatePem });
    expect(own.status, JSON.stringify(own.body)).to.equal(201);
  });

  it('M1: a national-CA certificate must name the signer (CN and organization); weak keys refused', async () => {
    const doc = await makeDocument(hub, clerk);
    const otherOrgCert = nationalCert('nat-other', `/C=VN/O=${otherOrg.name}/CN=${LEADER}`);
    const wrongOrg = await openSession(leader, doc, { certificatePem: otherOrgCert });
    expect(wrongOrg.status, JSON.stringify(wrongOrg.body)).to.equal(403);
    const nameOnly = nationalCert('nat-name', `/C=VN/CN=${LEADER}`);
    expect((await openSession(leader, doc, { certificatePem: nameOnly })).status).to.equal(403);
    const otherPerson = nationalCert('nat-person', `/C=VN/O=${org.name}/CN=Nguyễn Văn Khác`);
    expect((await openSession(leader, doc, { certificatePem: otherPerson })).status).to.equal(403);
    const weak = nationalCert('nat-weak', `/C=VN/O=${org.name}/CN=${LEADER}`, RSA(1024));
    const weakR = await openSession(leader, doc, { certificatePem: weak });
    expect(weakR.status, JSON.stringify(weakR.body)).to.equal(422);
    expect(weakR.body.reason).to.equal('PKI_WEAK_KEY');
    await nothingSigned(doc);

    // the leader's own national certificate works end to end
    const good = nationalCert('nat-leader', `/C=VN/O=${org.name}/CN=${LEADER}`);
    const opened = await call(hub, leader.token)(API.signing.openSession, {
      params: doc,
      body: { level: 'B-B', certificatePem: good, algorithm: 'ECDSA' },
    });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const s = opened.body;
    const key = readFileSync(f('nat-leader.key'), 'utf8');
    const signature = nativeSign('sha256', Buffer.from(s.dataToSign, 'base64'), key).toString(
      'base64',
    );
    const done = await call(hub, leader.token)(API.signing.completeSession, {
      params: { id: s.sessionId },
      body: { signature },
    });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.versions[1]!.signature?.signer).to.equal(LEADER);
  });

  it('M2: a pixel-bomb PNG signature image is refused from its header (422), nothing signed', async () => {
    const doc = await makeDocument(hub, clerk);
    for (const [w, h] of [
      [8000, 8000],
      [30000, 30000],
    ] as const) {
      const png = pixelBomb(w, h);
      expect(png.length).to.be.below(200_000);
      const r = await as(leader)('POST', `/api/v1/documents/${doc.id}/signatures`, {
        certificateId: leaderHubKey.id,
        kind: 'personal',
        level: 'B-B',
        confirmPassword: TEST_PASSWORD,
        appearance: { mode: 'signer', image: png.toString('base64') },
      });
      expect(r.status, `${w}×${h}: ${JSON.stringify(r.body)}`).to.equal(422);
      expect(String(r.body.detail)).to.include(`${w}×${h}`);
    }
    await nothingSigned(doc);
  });

  it('M2: `lienthong sign --image` refuses the pixel bomb (exit 2, PDF_IMAGE_TOO_LARGE)', async () => {
    writeFileSync(f('in.pdf'), await tinyPdf());
    writeFileSync(f('bomb.png'), pixelBomb(8000, 8000));
    openssl(['genpkey', ...EC('P-256'), '-out', f('ok.key')]);
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      f('ok.key'),
      '-subj',
      '/CN=CLI Signer',
      '-days',
      '30',
      '-addext',
      'keyUsage=critical,digitalSignature,nonRepudiation',
      '-out',
      f('ok.pem'),
    ]);
    openssl([
      'pkcs12',
      '-export',
      '-inkey',
      f('ok.key'),
      '-in',
      f('ok.pem'),
      '-passout',
      'pass:pw',
      '-out',
      f('ok.p12'),
    ]);
    const r = cliSign([
      '--in',
      f('in.pdf'),
      '--out',
      f('bomb-out.pdf'),
      '--p12',
      f('ok.p12'),
      '--password',
      'pw',
      '--visible',
      'signer',
      '--image',
      f('bomb.png'),
    ]);
    expect(r.status, r.stderr).to.equal(2);
    expect(r.stderr).to.include('PDF_IMAGE_TOO_LARGE');
  });

  it('OCSP: a request with 800 CertIDs is answered malformedRequest; 10 are still answered', async () => {
    const request = (n: number, name: string) => {
      const serials = Array.from({ length: n }, (_, i) => [
        '-serial',
        `0x${(i + 1).toString(16)}`,
      ]).flat();
      openssl([
        'ocsp',
        '-issuer',
        f('issuing-ca.pem'),
        ...serials,
        '-no_nonce',
        '-reqout',
        f(name),
      ]);

      return readFileSync(f(name));
    };
    const post = async (body: Buffer) => {
      const res = await fetch(`${hub.url}/pki/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body,
      });
      expect(res.status).to.equal(200);

      return ocspStatus(new Uint8Array(await res.arrayBuffer()));
    };
    expect(await post(request(800, 'ocsp-800.der'))).to.equal(1);
    expect(await post(request(10, 'ocsp-10.der'))).to.equal(0);
  });
});

describe('security: /pki/* is rate-limited per address (issue #26)', function () {
  this.timeout(60_000);
  let hub: Hub;
  before(async () => {
    process.env.PKI_RATE_LIMIT = '5';
    try {
      hub = await startTestHub();
    } finally {
      delete process.env.PKI_RATE_LIMIT;
    }
  });
  after(async () => hub?.close());

  it('answers 429 (problem+json, Retry-After) once an address is over the limit', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await fetch(`${hub.url}/pki/root-ca.pem`);
      statuses.push(last.status);
      await last.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).to.deep.equal([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).to.deep.equal([429, 429]);
    expect(last!.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(Number(last!.headers.get('retry-after'))).to.be.greaterThan(0);
  });
});
