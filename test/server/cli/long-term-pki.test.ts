/**
 * Issue #18: signatures of the project's own PKI hold outside the hub. A fresh `lienthong certs
 * init` PKI is served by a hub (PKI_DIR, PUBLIC_URL); the real `lienthong` CLI signs at B-LT and
 * B-LTA against the hub's TSA/OCSP/CRL and verifies offline with only the root; the hub's
 * validation API, its own signatures, the CRLs (checked by the real openssl) and the trust lists
 * are checked the same way.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TDocument, TDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { TOrg } from '../../../server/src/contracts/orgs.js';
import type { Hub } from '../../../server/src/hub.js';
import { IssuedCertificates } from '../../../server/src/modules/pki/models.js';
import { forgetCrl } from '../../../server/src/modules/pki/responders.js';
import { fingerprintSha256 } from '../../../server/src/lib/pki/certificate.js';
import { addDss } from '../../../server/src/lib/pades/index.js';
import { onlineRevocation } from '../../../server/src/lib/pades/revocation-fetch.js';
import { fromPem } from '../../../server/src/lib/pki/pem.js';
import { parseCms, signatureTimestampToken } from '../../../server/src/lib/validation/cms.js';
import { certFromDer, type Cert } from '../../../server/src/lib/pki/x509.js';
import { loadPdf } from '../../../server/src/lib/validation/pdf-objects.js';
import { readDss } from '../../../server/src/lib/validation/pdf-signatures.js';
import { revocationStatus } from '../../../server/src/lib/validation/revocation.js';
import type { TValidationReport } from '../../../server/src/lib/validation/report.schemas.js';
import { corpusBytes, type CorpusName } from '../../support/corpus.js';
import { TEST_PASSWORD, makeOrg, makeUser, type TestUser } from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import { REPO, freePort, run } from '../../support/process.js';
import { API, call } from '../../support/call.js';

const META: Partial<TDocumentMeta> = {
  type: 'Công văn',
  notation: 'UBND-VP',
  issuePlace: 'Thanh Hóa',
  issueDate: '2026-01-05',
  subject: 'V/v thử chữ ký dài hạn',
  signer: { fullName: 'Nguyễn Văn An', position: 'Chủ tịch' },
};

type CliResult = { status: number | null; stdout: string; stderr: string };

/** The real CLI, without blocking: it calls this process's hub (TSA, OCSP, CRL) meanwhile. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lienthong.mjs', ...args], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

type JsonReport = TValidationReport & { file: string };

async function verifyJson(file: string, ...extra: string[]): Promise<JsonReport> {
  const r = await cli(['verify', '--json', ...extra, file]);
  expect(r.stderr, r.stderr).to.equal('');
  return JSON.parse(r.stdout) as JsonReport;
}

const LEVEL = { 'B-LT': 'PAdES-BASELINE-LT', 'B-LTA': 'PAdES-BASELINE-LTA' } as const;

/** Every signature passes at the level, anchored by `list`, revocation of the chain from the DSS. */
function expectLongTerm(report: TValidationReport, level: keyof typeof LEVEL, list: string): void {
  const text = JSON.stringify(
    report.signatures.map((s) => [s.indication, s.subIndication, s.level, s.messages]),
  );
  expect(report.document.allValid, text).to.equal(true);
  const sig = report.signatures.find((s) => s.type === 'SIGNATURE')!;
  expect(sig.indication, text).to.equal('TOTAL_PASSED');
  expect(sig.level, text).to.equal(LEVEL[level]);
  expect(sig.trustList).to.equal(list);
  const anchor = sig.chain.at(-1)!;
  expect(anchor).to.include({ trustAnchor: true, trustList: list });
  expect(sig.chain).to.have.length(3);
  for (const element of sig.chain.slice(0, -1))
    expect(element.revocation, element.subject).to.include({ status: 'good', source: 'DSS' });
  const stamps = report.signatures.filter((s) => s.type === 'DOC_TIMESTAMP');
  expect(stamps).to.have.length(level === 'B-LTA' ? 1 : 0);
  for (const t of stamps) expect(t).to.include({ indication: 'TOTAL_PASSED', trustList: list });
}

describe('long-term signatures with a fresh certs init PKI served by a hub (issue #18)', function () {
  this.timeout(600_000);
  const password = 'mat-khau-pki-2026';
  let tmp: string;
  let pkiDir: string;
  let hub: Hub;
  let url: string;
  let org: TOrg;
  let clerk: TestUser;
  let savedPassword: string | undefined;
  const pem = (name: string) => join(pkiDir, `${name}.pem`);
  /** `lienthong sign` of `input` into `out` with the PKCS#12 `p12`, stamped by this hub's TSA. */
  const signCli = (input: string, out: string, p12: string, level: string) =>
    cli([
      'sign',
      '--in',
      input,
      '--out',
      out,
      '--p12',
      p12,
      '--password',
      password,
      '--level',
      level,
      '--tsa',
      `${url}/pki/tsa`,
    ]);
  const cert = (name: string): Cert => certFromDer(fromPem(readFileSync(pem(name), 'latin1')));

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-lt-'));
    pkiDir = join(tmp, 'pki');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const init = await cli([
      'certs',
      'init',
      '--dir',
      pkiDir,
      '--password',
      password,
      '--public-url',
      url,
    ]);
    expect(init.status, init.stderr).to.equal(0);
    // the hub module reads the .p12 password from its environment (docs/pki.md)
    savedPassword = process.env.PKI_PASSWORD;
    process.env.PKI_PASSWORD = password;
    hub = await startTestHub({ PORT: String(port), PUBLIC_URL: url, PKI_DIR: pkiDir });
    org = await makeOrg(hub.ctx, { name: 'Ủy ban nhân dân huyện Nga Sơn' });
    clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
  });
  after(async () => {
    await hub?.close();
    if (savedPassword === undefined) delete process.env.PKI_PASSWORD;
    else process.env.PKI_PASSWORD = savedPassword;
    rmSync(tmp, { recursive: true, force: true });
  });

  async function validateOnHub(bytes: Uint8Array): Promise<TValidationReport> {
    const res = await fetch(`${hub.url}/api/v1/validations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerk.token}`, 'content-type': 'application/pdf' },
      body: Buffer.from(bytes),
    });
    expect(res.status).to.equal(200);
    return (await res.json()) as TValidationReport;
  }

  const inputs: CorpusName[] = [
    'letter-soffice',
    'letter-objstm',
    'letter-incremental',
    'letter-linearized',
  ];
  for (const level of ['B-LT', 'B-LTA'] as const) {
    it(`lienthong sign --level ${level} → verify --offline --trust root-ca.pem and POST /api/v1/validations: TOTAL_PASSED at ${LEVEL[level]}`, async () => {
      for (const name of inputs) {
        const input = join(tmp, `${name}.pdf`);
        writeFileSync(input, await corpusBytes(name));
        const out = join(tmp, `${name}-${level}.pdf`);
        const signed = await signCli(input, out, join(pkiDir, 'demo-signer.p12'), level);
        expect(signed.status, `${name}: ${signed.stderr}`).to.equal(0);
        const offline = await verifyJson(out, '--offline', '--trust', pem('root-ca'));
        expectLongTerm(offline, level, 'extra');
        // the hub trusts the same root as its own ("hub"), the national lists next to it
        expectLongTerm(await validateOnHub(new Uint8Array(readFileSync(out))), level, 'hub');
      }
    });
  }

  it("the /DSS holds revocation data for every non-anchor certificate of the signer's and the TSA's chains", async () => {
    const input = join(tmp, 'gs.pdf');
    writeFileSync(input, await corpusBytes('letter-gs'));
    const out = join(tmp, 'gs-lt.pdf');
    const signed = await signCli(input, out, join(pkiDir, 'demo-seal.p12'), 'B-LT');
    expect(signed.status, signed.stderr).to.equal(0);
    const dss = readDss(await loadPdf(new Uint8Array(readFileSync(out))));
    expect(dss).to.not.equal(null);
    const data = [{ source: 'DSS' as const, ocsps: dss!.ocsps, crls: dss!.crls }];
    for (const [subject, issuer] of [
      ['demo-seal', 'issuing-ca'],
      ['tsa', 'issuing-ca'],
      ['issuing-ca', 'root-ca'],
    ] as const) {
      expect(revocationStatus(cert(subject), cert(issuer), data), subject).to.include({
        status: 'good',
        source: 'DSS',
      });
    }
    const dssCerts = dss!.certs.map((c) => certFromDer(c).sha256);
    for (const name of ['demo-seal', 'issuing-ca', 'root-ca', 'tsa'])
      expect(dssCerts, name).to.include(cert(name).sha256);
  });

  it('a second B-LT signature is long-term too: its DSS comes after it, however early the first /DSS was', async () => {
    const first = join(tmp, 'letter-objstm-B-LT.pdf');
    const twice = join(tmp, 'twice.pdf');
    const signed = await signCli(first, twice, join(pkiDir, 'demo-seal.p12'), 'B-LT');
    expect(signed.status, signed.stderr).to.equal(0);
    const report = await verifyJson(twice, '--offline', '--trust', pem('root-ca'));
    expect(report.document.allValid).to.equal(true);
    expect(report.signatures.map((s) => s.level)).to.deep.equal([
      'PAdES-BASELINE-LT',
      'PAdES-BASELINE-LT',
    ]);
  });

  it("the leader's B-B signature under the clerk's B-LTA seal is verifiable offline too: the seal's /DSS covers it", async () => {
    const leader = join(tmp, 'leader-B-B.pdf');
    const sealed = join(tmp, 'leader-sealed.pdf');
    const sign = (input: string, out: string, p12: string, level: string) =>
      signCli(input, out, join(pkiDir, p12), level);
    const input = join(tmp, 'leader-input.pdf');
    writeFileSync(input, await corpusBytes('letter-soffice'));
    const b = await sign(input, leader, 'demo-signer.p12', 'B-B');
    expect(b.status, b.stderr).to.equal(0);
    const s = await sign(leader, sealed, 'demo-seal.p12', 'B-LTA');
    expect(s.status, s.stderr).to.equal(0);
    const report = await verifyJson(sealed, '--offline', '--trust', pem('root-ca'));
    expect(
      report.signatures.map((x) => [x.type, x.indication, x.level]),
      JSON.stringify(report.signatures.map((x) => x.messages)),
    ).to.deep.equal([
      ['SIGNATURE', 'TOTAL_PASSED', 'PAdES-BASELINE-B'],
      ['SIGNATURE', 'TOTAL_PASSED', 'PAdES-BASELINE-LTA'],
      ['DOC_TIMESTAMP', 'TOTAL_PASSED', null],
    ]);
    const leaderSig = report.signatures[0]!;
    for (const element of leaderSig.chain.slice(0, -1))
      expect(element.revocation, element.subject).to.include({ status: 'good', source: 'DSS' });
  });

  it('online, a B-T signature passes with only the root: OCSP for the signer, the root CRL (CRL DP) for the issuing CA', async () => {
    const input = join(tmp, 'gs-t-in.pdf');
    writeFileSync(input, await corpusBytes('letter-gs'));
    const out = join(tmp, 'gs-t.pdf');
    const signed = await signCli(input, out, join(pkiDir, 'demo-signer.p12'), 'B-T');
    expect(signed.status, signed.stderr).to.equal(0);
    const report = await verifyJson(out, '--trust', pem('root-ca'));
    const sig = report.signatures[0]!;
    expect(sig.indication, JSON.stringify(sig.messages)).to.equal('TOTAL_PASSED');
    expect(
      sig.chain.map((c) => c.revocation && `${c.revocation.source}:${c.revocation.type}`),
    ).to.deep.equal(['ONLINE:OCSP', 'ONLINE:CRL', null]);
  });

  it("B-LT needs the TSA chain's revocation data in the /DSS too: without it the level is T", async () => {
    const input = join(tmp, 'gs-bt-in.pdf');
    writeFileSync(input, await corpusBytes('letter-gs'));
    const bt = join(tmp, 'gs-bt.pdf');
    const signed = await signCli(input, bt, join(pkiDir, 'demo-signer.p12'), 'B-T');
    expect(signed.status, signed.stderr).to.equal(0);
    const bytes = new Uint8Array(readFileSync(bt));
    const chain = ['demo-signer', 'issuing-ca', 'root-ca'].map((n) =>
      fromPem(readFileSync(pem(n), 'latin1')),
    );
    const text = Buffer.from(bytes).toString('latin1');
    const range = /\/ByteRange\s*\[\s*\d+\s+(\d+)\s+(\d+)/.exec(text)!;
    const cms = parseCms(
      Buffer.from(text.slice(Number(range[1]) + 1, Number(range[2]) - 1), 'hex'),
    );
    const token = signatureTimestampToken(cms)!;
    const levelOf = async (withToken: boolean) => {
      const lt = await addDss(bytes, {
        signerChain: chain,
        ...(withToken ? { timestampTokens: [token] } : {}),
        revocation: onlineRevocation(),
      });
      const file = join(tmp, `gs-dss-${withToken}.pdf`);
      writeFileSync(file, lt);
      const report = await verifyJson(file, '--offline', '--trust', pem('root-ca'));
      expect(report.signatures[0]!.indication).to.equal('TOTAL_PASSED');
      return report.signatures[0]!.level;
    };
    expect(await levelOf(false)).to.equal('PAdES-BASELINE-T');
    expect(await levelOf(true)).to.equal('PAdES-BASELINE-LT');
  });

  it('a hub-signed document (B-LT and B-LTA through the API, downloaded) passes offline with only the root', async () => {
    const admin = await makeUser(hub, org, ['org_admin']);
    const s = await call(hub, admin.token)(API.certificates.issueSeal, { body: {} });
    expect(s.status, JSON.stringify(s.body)).to.equal(201);
    const seal = s.body;
    for (const level of ['B-LT', 'B-LTA'] as const) {
      const form = new FormData();
      form.append('meta', JSON.stringify(META));
      form.append('file', new Blob([await corpusBytes('letter-gs')]), 'cong-van.pdf');
      const up = await fetch(`${hub.url}/api/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clerk.token}` },
        body: form,
      });
      expect(up.status).to.equal(201);
      const doc = (await up.json()) as TDocument;
      const r = await call(hub, clerk.token)(API.signing.sign, {
        params: { id: doc.id },
        body: {
          confirmPassword: TEST_PASSWORD,
          certificateId: seal.id,
          kind: 'seal',
          level,
        },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      const final = r.body;
      const file = await fetch(
        `${hub.url}/api/v1/documents/${doc.id}/versions/${final.currentVersionId}/file`,
        {
          headers: { authorization: `Bearer ${clerk.token}` },
        },
      );
      expect(file.status).to.equal(200);
      const path = join(tmp, `hub-${level}.pdf`);
      writeFileSync(path, Buffer.from(await file.arrayBuffer()));
      expectLongTerm(
        await verifyJson(path, '--offline', '--trust', pem('root-ca')),
        level,
        'extra',
      );
      expectLongTerm(await validateOnHub(new Uint8Array(readFileSync(path))), level, 'hub');
    }
  });

  it("openssl verifies the root's CRL and accepts the signer chain with both CRLs (-crl_check_all)", async () => {
    for (const [path, file] of [
      ['/pki/root-ca.crl', 'root.crl'],
      ['/pki/crl', 'issuing.crl'],
    ] as const) {
      const res = await fetch(`${url}${path}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('application/pkix-crl');
      writeFileSync(join(tmp, `${file}.der`), Buffer.from(await res.arrayBuffer()));
      const pemCrl = run('openssl', [
        'crl',
        '-inform',
        'DER',
        '-in',
        join(tmp, `${file}.der`),
        '-out',
        join(tmp, file),
      ]);
      expect(pemCrl.status, pemCrl.out).to.equal(0);
    }
    const crl = run('openssl', [
      'crl',
      '-CAfile',
      pem('root-ca'),
      '-in',
      join(tmp, 'root.crl'),
      '-noout',
    ]);
    expect(crl.status, crl.out).to.equal(0);
    expect(crl.out).to.contain('verify OK');
    const issuer = run('openssl', ['crl', '-in', join(tmp, 'root.crl'), '-noout', '-issuer']);
    expect(issuer.out).to.contain('Root CA');
    // the issuing CA names the root's CRL, every end entity keeps OCSP + CRL
    const issuing = run('openssl', [
      'x509',
      '-in',
      pem('issuing-ca'),
      '-noout',
      '-ext',
      'crlDistributionPoints',
    ]);
    expect(issuing.out).to.contain(`URI:${url}/pki/root-ca.crl`);
    for (const ee of ['demo-signer', 'tsa']) {
      const ext = run('openssl', [
        'x509',
        '-in',
        pem(ee),
        '-noout',
        '-ext',
        'crlDistributionPoints,authorityInfoAccess',
      ]);
      expect(ext.out, ee)
        .to.contain(`URI:${url}/pki/crl`)
        .and.contain(`OCSP - URI:${url}/pki/ocsp`);
    }
    const args = [
      'verify',
      '-crl_check_all',
      '-CAfile',
      pem('root-ca'),
      '-untrusted',
      pem('issuing-ca'),
    ];
    const crls = ['-CRLfile', join(tmp, 'root.crl'), '-CRLfile', join(tmp, 'issuing.crl')];
    const ok = run('openssl', [...args, ...crls, pem('demo-signer')]);
    expect(ok.status, ok.out).to.equal(0);
    expect(ok.out).to.contain('OK');
    // without the root's CRL the issuing CA's status is unknown: openssl refuses
    const missing = run('openssl', [
      ...args,
      '-CRLfile',
      join(tmp, 'issuing.crl'),
      pem('demo-signer'),
    ]);
    expect(missing.status, missing.out).to.not.equal(0);
    expect(missing.out).to.contain('unable to get certificate CRL');
  });

  it("certs init without --public-url names the hub's default address (HOST:PORT defaults), not localhost:3000", async () => {
    const dir = join(tmp, 'default-url');
    const init = await cli(['certs', 'init', '--dir', dir, '--password', password]);
    expect(init.status, init.stderr).to.equal(0);
    const ext = (name: string) =>
      run('openssl', [
        'x509',
        '-in',
        join(dir, `${name}.pem`),
        '-noout',
        '-ext',
        'crlDistributionPoints,authorityInfoAccess',
      ]).out;
    expect(ext('issuing-ca')).to.contain('URI:http://127.0.0.1:8080/pki/root-ca.crl');
    expect(ext('demo-signer'))
      .to.contain('OCSP - URI:http://127.0.0.1:8080/pki/ocsp')
      .and.contain('URI:http://127.0.0.1:8080/pki/crl')
      .and.not.contain('localhost:3000');
  });

  it('fails closed: B-LT with revocation URLs nobody answers → exit 2, one line naming the certificate and the URLs, no file', async () => {
    const deadPort = await freePort();
    const dead = join(tmp, 'dead-pki');
    const init = await cli([
      'certs',
      'init',
      '--dir',
      dead,
      '--password',
      password,
      '--public-url',
      `http://127.0.0.1:${deadPort}`,
    ]);
    expect(init.status, init.stderr).to.equal(0);
    const input = join(tmp, 'dead-in.pdf');
    writeFileSync(input, await corpusBytes('letter-gs'));
    const out = join(tmp, 'dead-out.pdf');
    const r = await signCli(input, out, join(dead, 'demo-signer.p12'), 'B-LT');
    expect(r.status).to.equal(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).to.have.length(1);
    expect(lines[0])
      .to.contain('PADES_REVOCATION_UNAVAILABLE')
      .and.contain('Nguyễn Văn An')
      .and.contain(`http://127.0.0.1:${deadPort}/pki/ocsp`)
      .and.contain(`http://127.0.0.1:${deadPort}/pki/crl`);
    expect(existsSync(out)).to.equal(false);
  });

  it('verify --json names the trust list of every chain; without any list the chain is not trusted', async () => {
    const file = join(tmp, 'letter-objstm-B-LTA.pdf');
    const report = await verifyJson(file, '--offline', '--trust', pem('root-ca'));
    expect(report.signatures.map((s) => s.trustList)).to.deep.equal(['extra', 'extra']);
    const text = await cli([
      'verify',
      '--offline',
      '--lang',
      'en',
      '--trust',
      pem('root-ca'),
      file,
    ]);
    expect(text.stdout).to.contain('Trust list: extra');
    // the national lists do not anchor the hub's PKI, and with them off nothing does
    for (const extra of [[], ['--no-national-trust']]) {
      const none = await verifyJson(file, '--offline', ...extra);
      for (const s of none.signatures) {
        expect(s.indication).to.equal('INDETERMINATE');
        expect(s.trustList).to.equal(null);
      }
    }
  });

  it('the hub trusts hub + national-vgca + national-neac by default (GET /pki/trust-lists), and not the national lists with NATIONAL_TRUST=off', async () => {
    type Lists = {
      lists: { name: string; certificates: { role: string; subject: string; sha256: string }[] }[];
    };
    const lists = (await (await fetch(`${url}/pki/trust-lists`)).json()) as Lists;
    expect(lists.lists.map((l) => l.name)).to.deep.equal(['hub', 'national-vgca', 'national-neac']);
    const roles = (name: string) =>
      lists.lists
        .find((l) => l.name === name)!
        .certificates.map((c) => `${c.role}:${c.sha256.slice(0, 8)}`);
    expect(roles('hub')).to.deep.equal([`anchor:${cert('root-ca').sha256.slice(0, 8)}`]);
    expect(roles('national-vgca')).to.deep.equal(['anchor:f04ba4b4', 'intermediate:d8cab7a4']);
    expect(roles('national-neac')).to.deep.equal(['anchor:bac8bf60', 'intermediate:7d6ba524']);
    const trustDir = join(tmp, 'trust-dir');
    mkdirSync(trustDir);
    copyFileSync(pem('root-ca'), join(trustDir, 'other.pem'));
    const off = await startTestHub({ NATIONAL_TRUST: 'off', TRUST_DIR: trustDir });
    try {
      const offLists = (await (await fetch(`${off.url}/pki/trust-lists`)).json()) as Lists;
      expect(offLists.lists.map((l) => l.name)).to.deep.equal(['hub', 'extra']);
    } finally {
      await off.close();
    }
  });

  // last: it revokes the demo signer's certificate on this hub
  it('refuses to sign B-LT with a revoked certificate: exit 2, one line, no file', async () => {
    const signerDer = fromPem(readFileSync(pem('demo-signer'), 'latin1'));
    const updated = await IssuedCertificates(hub.ctx.db.conn).updateOne(
      { fingerprintSha256: fingerprintSha256(signerDer) },
      { $set: { status: 'revoked', revokedAt: new Date(Date.now() - 60_000), reason: 1 } },
    );
    expect(updated.modifiedCount).to.equal(1);
    forgetCrl(hub.ctx);
    const input = join(tmp, 'revoked-in.pdf');
    writeFileSync(input, await corpusBytes('letter-gs'));
    const out = join(tmp, 'revoked-out.pdf');
    const r = await signCli(input, out, join(pkiDir, 'demo-signer.p12'), 'B-LT');
    expect(r.status).to.equal(2);
    expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
    expect(r.stderr).to.contain('PADES_CERT_REVOKED').and.contain('Nguyễn Văn An');
    expect(existsSync(out)).to.equal(false);
  });
});
