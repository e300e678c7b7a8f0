import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, verify as nativeVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TCertificate } from '../../../server/src/contracts/pki.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { HubContext } from '../../../server/src/context.js';
import { AppError } from '../../../server/src/errors/app-error.js';
import type { Hub } from '../../../server/src/hub.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { Users } from '../../../server/src/modules/auth/user.model.js';
import { toBytes } from '../../../server/src/modules/pki/bytes.js';
import { hubPki } from '../../../server/src/modules/pki/hub-hierarchy.js';
import { IssuedCertificates } from '../../../server/src/modules/pki/models.js';
import {
  hubRevocation,
  hubTsaTimestamp,
  resolveSigningKey,
  trustAnchors,
} from '../../../server/src/modules/pki/signing-keys.js';
import { readTimestampToken, toPem } from '../../../server/src/lib/pki/index.js';
import { api, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { API, call } from '../../support/call.js';

/** Async: openssl ocsp talks to the hub, which lives in this process. */
function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', args);
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const principalOf = (u: TestUser, name = 'x'): Principal => ({
  kind: 'user',
  id: u.id,
  orgId: u.orgId,
  roles: u.roles,
  name,
});

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);

    return err as AppError;
  }
  throw new Error('expected a rejection');
}

describe('pki module: certificates API, signing keys, revocation', function () {
  let hub: Hub;
  let dir: string;
  let orgA: TOrg;
  let orgB: TOrg;
  let hubAdmin: TestUser;
  let adminA: TestUser;
  let adminB: TestUser;
  let clerkA: TestUser;
  let leaderA: TestUser;
  let enterpriseA: TestUser;
  let auditor: TestUser;
  let seal: TCertificate;
  let personal: TCertificate;
  let csrCert: TCertificate;
  const f = (name: string) => join(dir, name);
  const as = (u: TestUser) => api(hub, u.token);

  before(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'lienthong-pki-api-'));
    orgA = await makeOrg(hub.ctx, { name: 'Sở Tài chính tỉnh Thanh Hóa' });
    orgB = await makeOrg(hub.ctx);
    hubAdmin = await makeUser(hub, orgB, ['hub_admin']);
    adminA = await makeUser(hub, orgA, ['org_admin']);
    adminB = await makeUser(hub, orgB, ['org_admin']);
    clerkA = await makeUser(hub, orgA, ['clerk'], 'Lê Thị Văn Thư');
    leaderA = await makeUser(hub, orgA, ['signer'], 'Trần Văn Lãnh Đạo');
    enterpriseA = await makeUser(hub, orgA, ['enterprise_user']);
    auditor = await makeUser(hub, orgB, ['auditor']);
    await Users(hub.ctx.db.conn).updateOne({ _id: leaderA.id }, { $set: { title: 'Giám đốc' } });
    const pki = await hubPki(hub.ctx);
    writeFileSync(f('root-ca.pem'), toPem(pki.root.certificate));
    writeFileSync(f('issuing-ca.pem'), toPem(pki.issuing.certificate));
    writeFileSync(f('chain.pem'), toPem(pki.issuing.certificate) + toPem(pki.root.certificate));
    writeFileSync(f('tsa.chain.pem'), toPem(pki.tsa.certificate) + toPem(pki.issuing.certificate));
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const verifyPem = async (name: string, pem: string) => {
    writeFileSync(f(name), pem);
    const v = await run([
      'verify',
      '-x509_strict',
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('issuing-ca.pem'),
      f(name),
    ]);
    expect(v.out).to.include(': OK');
    return (
      await run([
        'x509',
        '-in',
        f(name),
        '-noout',
        '-text',
        '-nameopt',
        'utf8,sep_comma_plus_space',
      ])
    ).out;
  };

  it('org admin issues the seal certificate of their organization (O, organizationIdentifier)', async () => {
    const r = await call(hub, adminA.token)(API.certificates.issueSeal, { body: {} });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(JSON.stringify(r.body)).not.to.match(/PRIVATE KEY|sealedKey|ciphertext/);
    seal = r.body;
    expect(seal).to.include({ kind: 'seal', orgId: orgA.id, keyOnHub: true, status: 'good' });
    const text = await verifyPem('seal.pem', seal.certificatePem);
    expect(text).to.include(`O=${orgA.name}`);
    expect(text).to.include(`organizationIdentifier=${orgA.code}`);
    expect(text).to.include('Digital Signature, Non Repudiation');
    expect(text).to.include(`OCSP - URI:${hub.ctx.config.publicUrl}/pki/ocsp`);
    expect(text).to.include(`URI:${hub.ctx.config.publicUrl}/pki/crl`);
  });

  it('issues a personal certificate with a hub-held key: CN = full name, title', async () => {
    const r = await call(hub, adminA.token)(API.certificates.issuePersonal, {
      body: { userId: leaderA.id },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(JSON.stringify(r.body)).not.to.include('PRIVATE KEY');
    personal = r.body;
    expect(personal).to.include({ kind: 'personal', userId: leaderA.id, keyOnHub: true });
    const text = await verifyPem('personal.pem', personal.certificatePem);
    expect(text).to.include('CN=Trần Văn Lãnh Đạo');
    expect(text).to.include('title=Giám đốc');
    expect(text).to.include(`O=${orgA.name}`);
  });

  it('CSR flow: the certificate carries the CSR key; the hub never sees the private key', async () => {
    await run([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('csr-key.pem'),
      '-subj',
      '/CN=Ten tuy y',
      '-out',
      f('req.csr'),
    ]);
    // only the holder submits a CSR for their own key (security issue #26 H2)
    const byAdmin = await as(hubAdmin)('POST', '/api/v1/certificates/personal', {
      userId: leaderA.id,
      csr: readFileSync(f('req.csr'), 'utf8'),
    });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).to.equal(403);
    const r = await call(hub, leaderA.token)(API.certificates.issuePersonal, {
      body: {
        userId: leaderA.id,
        csr: readFileSync(f('req.csr'), 'utf8'),
      },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    csrCert = r.body;
    expect(csrCert).to.include({ keyOnHub: false, algorithm: 'p256' });
    const text = await verifyPem('csr-cert.pem', csrCert.certificatePem);
    expect(text).to.include('CN=Trần Văn Lãnh Đạo');
    const fromCsr = await run(['req', '-in', f('req.csr'), '-noout', '-pubkey']);
    const fromCert = await run(['x509', '-in', f('csr-cert.pem'), '-noout', '-pubkey']);
    expect(fromCert.out).to.equal(fromCsr.out);
    const stored = await IssuedCertificates(hub.ctx.db.conn)
      .findById(csrCert.id)
      .select('+sealedKey')
      .lean();
    expect(stored?.sealedKey).to.equal(undefined);
    const bad = await as(leaderA)('POST', '/api/v1/certificates/personal', {
      userId: leaderA.id,
      csr: 'not a CSR',
    });
    expect(bad.status).to.equal(422);
  });

  it('keeps hub-held end-entity keys sealed: not PKCS#8 without the master key', async () => {
    const stored = await IssuedCertificates(hub.ctx.db.conn)
      .findById(seal.id)
      .select('+sealedKey')
      .lean();
    const ciphertext = Buffer.from(toBytes(stored!.sealedKey!.ciphertext));
    expect(ciphertext.length).to.be.greaterThan(100);
    expect(() => createPrivateKey({ key: ciphertext, format: 'der', type: 'pkcs8' })).to.throw();
    const listed = await as(adminA)('GET', '/api/v1/certificates');
    expect(JSON.stringify(listed.body)).not.to.match(/PRIVATE KEY|sealedKey|ciphertext/);
  });

  it('lists and downloads: own organization only; hub admin and auditor see all', async () => {
    const mine = await call(hub, adminA.token)(API.certificates.list);
    const ids = mine.body.map((c) => c.id);
    expect(ids).to.include.members([seal.id, personal.id, csrCert.id]);
    const other = await call(hub, adminB.token)(API.certificates.list);
    expect(other.body.map((c) => c.id)).not.to.include(seal.id);
    expect((await as(adminB)('GET', `/api/v1/certificates/${seal.id}`)).status).to.equal(404);
    expect((await as(auditor)('GET', `/api/v1/certificates/${seal.id}`)).status).to.equal(200);
    const all = await call(hub, hubAdmin.token)(API.certificates.list, {
      query: { orgId: orgA.id, kind: 'personal' },
    });
    expect(all.body.map((c) => c.id)).to.have.members([personal.id, csrCert.id]);
    const chain = await fetch(`${hub.url}/api/v1/certificates/${seal.id}/chain.pem`, {
      headers: { authorization: `Bearer ${clerkA.token}` },
    });
    expect(chain.status).to.equal(200);
    const chainPem = await chain.text();
    expect(chainPem.match(/BEGIN CERTIFICATE/g)).to.have.length(3);
    writeFileSync(f('seal.chain.pem'), chainPem);
    const v = await run([
      'verify',
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('seal.chain.pem'),
      f('seal.pem'),
    ]);
    expect(v.out).to.include(': OK');
    const one = await as(clerkA)('GET', `/api/v1/certificates/${seal.id}/certificate.pem`);
    expect(one.body).to.equal(seal.certificatePem);
  });

  it('authorization: other org admins get 404, non-admins 403', async () => {
    const cross = await as(adminB)('POST', '/api/v1/certificates/seal', { orgId: orgA.id });
    expect(cross.status).to.equal(404);
    const crossUser = await as(adminB)('POST', '/api/v1/certificates/personal', {
      userId: leaderA.id,
    });
    expect(crossUser.status).to.equal(404);
    const crossRevoke = await as(adminB)('POST', `/api/v1/certificates/${seal.id}/revoke`, {
      reason: 1,
    });
    expect(crossRevoke.status).to.equal(404);
    for (const u of [enterpriseA, clerkA, leaderA]) {
      expect((await as(u)('POST', '/api/v1/certificates/seal', {})).status).to.equal(403);
      expect(
        (await as(u)('POST', `/api/v1/certificates/${seal.id}/revoke`, { reason: 1 })).status,
      ).to.equal(403);
    }
    expect((await api(hub)('POST', '/api/v1/certificates/seal', {})).status).to.equal(401);
    const inj = await as(adminA)('POST', '/api/v1/certificates/seal', { orgId: { $ne: null } });
    expect(inj.status).to.equal(400);
    const badReason = await as(adminA)('POST', `/api/v1/certificates/${seal.id}/revoke`, {
      reason: 7,
    });
    expect(badReason.status).to.equal(400);
  });

  it('resolveSigningKey: signer gets own personal key, clerk the seal; others refused', async () => {
    const data = Buffer.from('nội dung cần ký');
    const leaderKey = await resolveSigningKey(hub.ctx, principalOf(leaderA), personal.id);
    expect(leaderKey).to.include({ kind: 'personal', orgId: orgA.id, userId: leaderA.id });
    expect(leaderKey.subjectName).to.equal('Trần Văn Lãnh Đạo');
    expect(leaderKey.certificateChain).to.have.length(3);
    const sig = await leaderKey.sign(data);
    const cert = new X509Certificate(leaderKey.certificateChain[0]!);
    expect(cert.serialNumber.toLowerCase()).to.equal(personal.serialHex);
    expect(leaderKey.algorithm).to.deep.equal({ scheme: 'RSA-PSS', hash: 'sha256' });
    expect(
      nativeVerify('sha256', data, { key: cert.publicKey, padding: 6, saltLength: 32 }, sig),
    ).to.equal(true);

    const sealKey = await resolveSigningKey(hub.ctx, principalOf(clerkA), seal.id);
    expect(sealKey).to.include({ kind: 'seal', orgId: orgA.id });
    expect(sealKey.userId).to.equal(undefined);
    expect(await sealKey.sign(data)).to.have.length.greaterThan(0);

    expect(
      (await rejects(resolveSigningKey(hub.ctx, principalOf(clerkA), personal.id))).code,
    ).to.equal('FORBIDDEN');
    expect(
      (await rejects(resolveSigningKey(hub.ctx, principalOf(leaderA), seal.id))).code,
    ).to.equal('FORBIDDEN');
    const clerkB: Principal = {
      kind: 'user',
      id: adminB.id,
      orgId: orgB.id,
      roles: ['clerk'],
      name: 'b',
    };
    expect((await rejects(resolveSigningKey(hub.ctx, clerkB, seal.id))).code).to.equal('NOT_FOUND');
    expect(
      (await rejects(resolveSigningKey(hub.ctx, principalOf(clerkA), '0123456789abcdef01234567')))
        .code,
    ).to.equal('NOT_FOUND');
    expect(
      (await rejects(resolveSigningKey(hub.ctx, principalOf(clerkA), 'garbage'))).code,
    ).to.equal('NOT_FOUND');
    const external = await rejects(resolveSigningKey(hub.ctx, principalOf(leaderA), csrCert.id));
    expect(external.code).to.equal('INVALID_STATE');
    expect(external.detail).to.include('external signing');
  });

  it('hubTsaTimestamp: an in-process token that openssl ts -verify accepts', async () => {
    const digest = createHash('sha256').update('tài liệu').digest();
    const token = await hubTsaTimestamp(hub.ctx)(digest);
    expect(Buffer.from(readTimestampToken(token).hashedMessage).equals(digest)).to.equal(true);
    writeFileSync(f('token.der'), token);
    const v = await run([
      'ts',
      '-verify',
      '-digest',
      digest.toString('hex'),
      '-in',
      f('token.der'),
      '-token_in',
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('tsa.chain.pem'),
    ]);
    expect(v.out).to.include('Verification: OK');
  });

  it('revocation through the API shows in OCSP (time, reason), CRL and hubRevocation', async () => {
    const target = (
      await call(hub, adminA.token)(API.certificates.issuePersonal, {
        body: { userId: leaderA.id },
      })
    ).body;
    writeFileSync(f('target.pem'), target.certificatePem);
    const ask = () =>
      run([
        'ocsp',
        '-issuer',
        f('issuing-ca.pem'),
        '-cert',
        f('target.pem'),
        '-url',
        `${hub.url}/pki/ocsp`,
        '-CAfile',
        f('root-ca.pem'),
      ]);
    expect((await ask()).out).to.match(/target\.pem: good/);

    const r = await call(hub, adminA.token)(API.certificates.revoke, {
      params: { id: target.id },
      body: { reason: 1 },
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const revoked = r.body;
    expect(revoked).to.include({ status: 'revoked', reason: 1 });
    const out = (await ask()).out;
    expect(out).to.include('Response verify OK');
    expect(out).to.match(/target\.pem: revoked/);
    expect(out).to.include('Reason: keyCompromise');
    const when = new Date(revoked.revokedAt!);
    const m = /Revocation Time: (.+GMT)/.exec(out);
    expect(Date.parse(m![1]!)).to.equal(when.getTime());
    const again = await as(adminA)('POST', `/api/v1/certificates/${target.id}/revoke`, {
      reason: 1,
    });
    expect(again.status).to.equal(409);

    const crl = await fetch(`${hub.url}/pki/crl`);
    writeFileSync(f('crl.der'), new Uint8Array(await crl.arrayBuffer()));
    const crlCheck = await run([
      'crl',
      '-inform',
      'DER',
      '-in',
      f('crl.der'),
      '-CAfile',
      f('chain.pem'),
      '-noout',
    ]);
    expect(crlCheck.out).to.include('verify OK');
    const crlText = (await run(['crl', '-inform', 'DER', '-in', f('crl.der'), '-noout', '-text']))
      .out;
    const entry = new RegExp(
      `Serial Number: ${target.serialHex.toUpperCase()}[\\s\\S]*?Key Compromise`,
    );
    expect(crlText).to.match(entry);

    // A revoked key is not handed out for signing any more.
    const err = await rejects(resolveSigningKey(hub.ctx, principalOf(leaderA), target.id));
    expect(err.code).to.equal('INVALID_STATE');

    const pki = await hubPki(hub.ctx);
    const targetDer = new X509Certificate(target.certificatePem).raw;
    const data = await hubRevocation(hub.ctx)(new Uint8Array(targetDer), pki.issuing.certificate);
    expect(data.ocsp).to.have.length(1);
    expect(data.crls).to.have.length(1);
    writeFileSync(f('prov.ocsp'), data.ocsp![0]!);
    const prov = await run([
      'ocsp',
      '-respin',
      f('prov.ocsp'),
      '-issuer',
      f('issuing-ca.pem'),
      '-cert',
      f('target.pem'),
      '-CAfile',
      f('root-ca.pem'),
      '-no_nonce',
    ]);
    expect(prov.out).to.include('Response verify OK');
    expect(prov.out).to.match(/target\.pem: revoked/);
    const forCa = await hubRevocation(hub.ctx)(pki.issuing.certificate, pki.root.certificate);
    writeFileSync(f('arl.der'), forCa.crls![0]!);
    const arl = await run([
      'crl',
      '-inform',
      'DER',
      '-in',
      f('arl.der'),
      '-CAfile',
      f('root-ca.pem'),
      '-noout',
    ]);
    expect(arl.out).to.include('verify OK');
    expect(await hubRevocation(hub.ctx)(pki.root.certificate, pki.root.certificate)).to.deep.equal(
      {},
    );
  });

  it('trustAnchors: hub root plus TRUST_DIR, reloaded when the folder changes', async () => {
    const trustDir = mkdtempSync(join(tmpdir(), 'lienthong-trust-'));
    try {
      const ctx: HubContext = { ...hub.ctx, config: { ...hub.ctx.config, TRUST_DIR: trustDir } };
      const pki = await hubPki(hub.ctx);
      const first = await trustAnchors(ctx);
      expect(first).to.have.length(1);
      expect(Buffer.from(first[0]!).equals(Buffer.from(pki.root.certificate))).to.equal(true);
      writeFileSync(join(trustDir, 'gov.pem'), readFileSync(f('chain.pem')));
      expect(await trustAnchors(ctx)).to.have.length(3);
      writeFileSync(join(trustDir, 'more.crt'), readFileSync(f('seal.pem')));
      expect(await trustAnchors(ctx)).to.have.length(4);
      unlinkSync(join(trustDir, 'gov.pem'));
      expect(await trustAnchors(ctx)).to.have.length(2);
    } finally {
      rmSync(trustDir, { recursive: true, force: true });
    }
  });
});
