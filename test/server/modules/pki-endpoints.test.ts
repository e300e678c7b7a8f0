import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { loadConfig } from '../../../server/src/config/config.js';
import { startHub, type Hub } from '../../../server/src/hub.js';
import type { HubContext } from '../../../server/src/context.js';
import { hubPki, initHierarchy } from '../../../server/src/modules/pki/hub-hierarchy.js';
import { Hierarchies } from '../../../server/src/modules/pki/models.js';
import { forgetCrl } from '../../../server/src/modules/pki/responders.js';
import { toBytes } from '../../../server/src/modules/pki/bytes.js';
import {
  buildTimestampQuery,
  initHierarchy as initHierarchyFiles,
  openPrivateKey,
  parseTimestampReply,
  readTimestampToken,
  toPem,
} from '../../../server/src/lib/pki/index.js';
import { API, call } from '../../support/call.js';
import { startTestHub, testDbName, testMongoUri } from '../../support/hub.js';
import { runTempDir } from '../../support/process.js';

/** openssl must run asynchronously: its peer (the hub) lives in this very process. */
function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', args);
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function post(url: string, type: string, body: Uint8Array) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: new Uint8Array(await res.arrayBuffer()),
  };
}

/** First element (status) of an OCSPResponse / TimeStampResp. */
function firstInteger(der: Uint8Array): number {
  const seq = asn1js.fromBER(new Uint8Array(der).buffer).result as asn1js.Sequence;
  const first = seq.valueBlock.value[0]!;
  if (first instanceof asn1js.Enumerated) return first.valueBlock.valueDec;
  const status = (first as asn1js.Sequence).valueBlock.value[0] as asn1js.Integer;

  return status.valueBlock.valueDec;
}

describe('pki module: hierarchy and public /pki endpoints', function () {
  let hub: Hub;
  let dir: string;
  const f = (name: string) => join(dir, name);

  before(async () => {
    hub = await startTestHub();
    dir = mkdtempSync(join(tmpdir(), 'lienthong-pki-mod-'));
    for (const [name, e] of [
      ['root-ca.pem', API.pki.rootPem],
      ['issuing-ca.pem', API.pki.issuingPem],
    ] as const) {
      const res = await call(hub)(e);
      expect(res.status).to.equal(200);
      writeFileSync(f(name), res.body);
    }
    const pki = await hubPki(hub.ctx);
    writeFileSync(f('tsa.pem'), toPem(pki.tsa.certificate));
    writeFileSync(f('tsa.chain.pem'), toPem(pki.tsa.certificate) + toPem(pki.issuing.certificate));
    writeFileSync(f('chain.pem'), toPem(pki.issuing.certificate) + toPem(pki.root.certificate));
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves root and issuing CA as PEM and DER; openssl verifies issuing → root', async () => {
    const v = await run([
      'verify',
      '-x509_strict',
      '-CAfile',
      f('root-ca.pem'),
      f('issuing-ca.pem'),
    ]);
    expect(v.out).to.include(': OK');
    const cer = await call(hub)(API.pki.issuingCer);
    expect(cer.headers.get('content-type')).to.equal('application/pkix-cert');
    expect(toPem(cer.body)).to.equal(readFileSync(f('issuing-ca.pem'), 'utf8'));
    const root = await call(hub)(API.pki.rootCer);
    expect(toPem(root.body)).to.equal(readFileSync(f('root-ca.pem'), 'utf8'));
  });

  it('keeps CA private keys sealed: stored bytes are not PKCS#8 and need the master key', async () => {
    const doc = await Hierarchies(hub.ctx.db.conn).findOne({ key: 'hub' }).lean();
    expect(doc?.cas.map((c) => c.kind).sort()).to.deep.equal(['issuing', 'ocsp', 'root', 'tsa']);
    for (const ca of doc!.cas) {
      const sealed = {
        iv: toBytes(ca.sealedKey.iv),
        tag: toBytes(ca.sealedKey.tag),
        ciphertext: toBytes(ca.sealedKey.ciphertext),
      };
      expect(() =>
        createPrivateKey({ key: Buffer.from(sealed.ciphertext), format: 'der', type: 'pkcs8' }),
      ).to.throw();
      expect(Buffer.from(sealed.ciphertext).toString('latin1')).not.to.include('PRIVATE KEY');
      expect(() => openPrivateKey(sealed, randomBytes(32))).to.throw(/master key/);
      const pkcs8 = openPrivateKey(sealed, hub.ctx.secrets.master);
      expect(
        createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).type,
      ).to.equal('private');
    }
  });

  it('OCSP over POST: the hub TSA certificate is good, verified by openssl with a nonce', async () => {
    const out = await run([
      'ocsp',
      '-issuer',
      f('issuing-ca.pem'),
      '-cert',
      f('tsa.pem'),
      '-url',
      `${hub.url}/pki/ocsp`,
      '-CAfile',
      f('root-ca.pem'),
      '-resp_text',
    ]);
    expect(out.out).to.include('Response verify OK');
    expect(out.out).to.match(/tsa\.pem: good/);
    expect(out.out).to.include('OCSP Nonce');
  });

  it('OCSP: a serial the CA never issued is unknown', async () => {
    const out = await run([
      'ocsp',
      '-issuer',
      f('issuing-ca.pem'),
      '-serial',
      '0x5eed1234567890abcdef',
      '-url',
      `${hub.url}/pki/ocsp`,
      '-CAfile',
      f('root-ca.pem'),
    ]);
    expect(out.out).to.include('Response verify OK');
    expect(out.out).to.match(/0x5eed1234567890abcdef: unknown/);
  });

  it('OCSP over GET with the base64 request in the path', async () => {
    await run([
      'ocsp',
      '-issuer',
      f('issuing-ca.pem'),
      '-cert',
      f('tsa.pem'),
      '-reqout',
      f('req.der'),
    ]);
    const b64 = readFileSync(f('req.der')).toString('base64');
    for (const path of [encodeURIComponent(b64), b64]) {
      const res = await fetch(`${hub.url}/pki/ocsp/${path}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/ocsp-response');
      writeFileSync(f('resp.der'), new Uint8Array(await res.arrayBuffer()));
      const out = await run([
        'ocsp',
        '-respin',
        f('resp.der'),
        // openssl cannot match a -respin answer to a -reqin nonce; the bytes check below does.
        '-no_nonce',
        '-issuer',
        f('issuing-ca.pem'),
        '-cert',
        f('tsa.pem'),
        '-CAfile',
        f('root-ca.pem'),
      ]);
      expect(out.out).to.include('Response verify OK');
      expect(out.out).to.match(/tsa\.pem: good/);
      const nonce = readFileSync(f('req.der')).subarray(-16);
      expect(readFileSync(f('resp.der')).includes(nonce)).to.equal(true);
    }
  });

  it('OCSP: garbage gives malformedRequest with HTTP 200, never 500', async () => {
    for (const body of [randomBytes(50), new Uint8Array(), Buffer.from('30820000', 'hex')]) {
      const r = await post(`${hub.url}/pki/ocsp`, 'application/ocsp-request', body);
      expect(r.status).to.equal(200);
      expect(firstInteger(r.body)).to.equal(1);
    }
    const wrongType = await post(`${hub.url}/pki/ocsp`, 'text/plain', randomBytes(20));
    expect(wrongType.status).to.equal(200);
    expect(firstInteger(wrongType.body)).to.equal(1);
    const get = await fetch(`${hub.url}/pki/ocsp/%%%not-base64!`);
    expect(get.status).to.be.oneOf([200, 400]);
    const big = await post(`${hub.url}/pki/ocsp`, 'application/ocsp-request', randomBytes(70_000));
    expect(big.status).to.equal(413);
  });

  it('TSA: openssl ts query → reply verified by openssl ts -verify', async () => {
    writeFileSync(f('data.txt'), 'Công văn số 123/UBND-VP\n');
    await run(['ts', '-query', '-data', f('data.txt'), '-sha256', '-cert', '-out', f('q.tsq')]);
    const r = await post(
      `${hub.url}/pki/tsa`,
      'application/timestamp-query',
      readFileSync(f('q.tsq')),
    );
    expect(r.status).to.equal(200);
    expect(r.type).to.equal('application/timestamp-reply');
    writeFileSync(f('reply.tsr'), r.body);
    const v = await run([
      'ts',
      '-verify',
      '-data',
      f('data.txt'),
      '-in',
      f('reply.tsr'),
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('tsa.chain.pem'),
    ]);
    expect(v.out).to.include('Verification: OK');
    const q = await run([
      'ts',
      '-verify',
      '-queryfile',
      f('q.tsq'),
      '-in',
      f('reply.tsr'),
      '-CAfile',
      f('root-ca.pem'),
      '-untrusted',
      f('tsa.chain.pem'),
    ]);
    expect(q.out).to.include('Verification: OK');
  });

  it('TSA: 50 concurrent requests get distinct, strictly increasing serials and their nonces', async () => {
    const digest = randomBytes(32);
    const ask = async () => {
      const { query, nonce } = buildTimestampQuery(digest, 'sha256', { nonce: true });
      const r = await post(`${hub.url}/pki/tsa`, 'application/timestamp-query', query);
      const info = readTimestampToken(parseTimestampReply(r.body, { nonce, digest }));
      expect(info.nonce).to.equal(nonce);

      return info.serial;
    };
    const serials = await Promise.all(Array.from({ length: 50 }, ask));
    expect(new Set(serials).size).to.equal(50);
    const max = serials.reduce((a, b) => (a > b ? a : b));
    const min = serials.reduce((a, b) => (a < b ? a : b));
    expect(max - min).to.equal(49n);
    expect((await ask()) > max).to.equal(true);
  });

  it('TSA: garbage and a wrong-length digest get status rejection, never 500', async () => {
    for (const body of [randomBytes(40), new Uint8Array(), Buffer.from('3003020101', 'hex')]) {
      const r = await post(`${hub.url}/pki/tsa`, 'application/timestamp-query', body);
      expect(r.status).to.equal(200);
      expect(firstInteger(r.body)).to.equal(2);
    }
  });

  it('CRL: DER, verified by openssl against the chain, number increasing', async () => {
    const numbers: number[] = [];
    for (let i = 0; i < 2; i++) {
      forgetCrl(hub.ctx);
      const res = await fetch(`${hub.url}/pki/crl`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/pkix-crl');
      expect(res.headers.get('cache-control')).to.include('max-age=60');
      writeFileSync(f('crl.der'), new Uint8Array(await res.arrayBuffer()));
      const v = await run([
        'crl',
        '-inform',
        'DER',
        '-in',
        f('crl.der'),
        '-CAfile',
        f('chain.pem'),
        '-noout',
      ]);
      expect(v.out).to.include('verify OK');
      const text = await run(['crl', '-inform', 'DER', '-in', f('crl.der'), '-noout', '-text']);
      const m = /CRL Number:\s*\n?\s*(\d+)/.exec(text.out);
      expect(m, text.out).to.not.equal(null);
      numbers.push(Number(m![1]));
      const thisUp = Date.parse(/Last Update: (.+)/.exec(text.out)![1]!);
      const nextUp = Date.parse(/Next Update: (.+)/.exec(text.out)![1]!);
      expect(nextUp - thisUp).to.equal(86_400_000);
    }
    expect(numbers[1]).to.be.greaterThan(numbers[0]!);
  });
});

describe('pki module: one hierarchy per database', function () {
  const env = () => ({
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testMongoUri(),
    LIENTHONG_MASTER_KEY: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(32).toString('hex'),
  });
  const rootOf = async (hub: Hub) => (await fetch(`${hub.url}/pki/root-ca.pem`)).text();

  it('a restart on the same database keeps the same root', async () => {
    const e = { ...env(), DATA_DIR: runTempDir('hub-') };
    const dbName = testDbName();
    const first = await startHub(loadConfig(e), { dbName });
    const root1 = await rootOf(first);
    await first.close();
    const second = await startHub(loadConfig(e), { dbName });
    try {
      expect(await rootOf(second)).to.equal(root1);
      expect(await Hierarchies(second.ctx.db.conn).countDocuments()).to.equal(1);
    } finally {
      await second.close();
    }
  });

  it('concurrent first starts end with one hierarchy (unique key, loser reloads)', async () => {
    // The whole hub cannot start twice at once on one empty database yet (the auth module's
    // bootstrap races on its own unique index), so race the PKI init itself: three "nodes"
    // sharing one fresh database.
    const hub = await startTestHub();
    try {
      const conn = hub.ctx.db.conn.useDb(testDbName(), { useCache: false });
      const node = (): HubContext => ({ ...hub.ctx, db: { ...hub.ctx.db, conn } });
      const results = await Promise.all([node(), node(), node()].map((c) => initHierarchy(c)));
      const roots = new Set(results.map((r) => toPem(r.root.certificate)));
      expect(roots.size).to.equal(1);
      expect(await Hierarchies(conn).countDocuments()).to.equal(1);
      await conn.dropDatabase();
    } finally {
      await hub.close();
    }
  });

  it('imports PKI_DIR (lienthong certs init output) with PKI_PASSWORD; demo signer is good', async () => {
    const pkiDir = mkdtempSync(join(tmpdir(), 'lienthong-pki-dir-'));
    const password = 'mat-khau-pki-thu';
    await initHierarchyFiles({
      dir: pkiDir,
      algorithm: 'p256',
      password,
      publicUrl: 'http://127.0.0.1',
    });
    const saved = process.env.PKI_PASSWORD;
    process.env.PKI_PASSWORD = password;
    let hub: Hub | undefined;
    try {
      hub = await startHub(
        loadConfig({
          ...env(),
          DATA_DIR: runTempDir('hub-'),
          PKI_DIR: pkiDir,
        }),
        { dbName: testDbName() },
      );
      expect(await rootOf(hub)).to.equal(readFileSync(join(pkiDir, 'root-ca.pem'), 'utf8'));
      const out = await run([
        'ocsp',
        '-issuer',
        join(pkiDir, 'issuing-ca.pem'),
        '-cert',
        join(pkiDir, 'demo-signer.pem'),
        '-url',
        `${hub.url}/pki/ocsp`,
        '-CAfile',
        join(pkiDir, 'root-ca.pem'),
      ]);
      expect(out.out).to.include('Response verify OK');
      expect(out.out).to.match(/demo-signer\.pem: good/);
    } finally {
      if (saved === undefined) delete process.env.PKI_PASSWORD;
      else process.env.PKI_PASSWORD = saved;
      await hub?.close();
      rmSync(pkiDir, { recursive: true, force: true });
    }
  });
});
