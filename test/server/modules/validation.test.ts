import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZDocumentMeta } from '../../../server/src/contracts/documents.js';
import type { Hub } from '../../../server/src/hub.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { createDocument } from '../../../server/src/modules/documents/index.js';
import { issueSealCertificate } from '../../../server/src/modules/pki/certificates.service.js';
import {
  hubRevocation,
  hubTsaTimestamp,
  resolveSigningKey,
} from '../../../server/src/modules/pki/signing-keys.js';
import { hubPki } from '../../../server/src/modules/pki/hub-hierarchy.js';
import { PUBLIC_VALIDATIONS_PER_MINUTE } from '../../../server/src/modules/validation/index.js';
import { signPdf } from '../../../server/src/lib/pades/index.js';
import { parseCms, signatureTimestampToken } from '../../../server/src/lib/validation/cms.js';
import { toPem } from '../../../server/src/lib/pki/index.js';
import {
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  type TestUser,
} from '../../support/factories.js';
import { startTestHub } from '../../support/hub.js';
import * as tamper from '../../support/tamper.js';

/** The CMS of the first signature, from the hex string in its ByteRange gap. */
function signatureContents(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  const m = /\/ByteRange\s*\[\s*\d+\s+(\d+)\s+(\d+)/.exec(text);
  if (!m) throw new Error('no ByteRange');
  return new Uint8Array(Buffer.from(text.slice(Number(m[1]) + 1, Number(m[2]) - 1), 'hex'));
}

type Report = {
  lang: string;
  summary: string;
  cached: boolean;
  versionId?: string;
  document: { allValid: boolean; sha256: string; signatureCount: number };
  signatures: {
    indication: string;
    subIndication: string | null;
    level: string | null;
    timestamp: { valid: boolean } | null;
  }[];
  code?: string;
  status?: number;
};

describe('validation module: HTTP API', function () {
  this.timeout(120_000);
  let hub: Hub;
  let clerk: TestUser;
  let otherClerk: TestUser;
  let signed: Uint8Array;
  let dir: string;

  const principal = (u: TestUser): Principal => ({
    kind: 'user',
    id: u.id,
    orgId: u.orgId,
    roles: u.roles,
    name: 'Văn thư',
  });

  async function post(
    path: string,
    body: Uint8Array | FormData | string,
    headers: Record<string, string> = {},
    token?: string,
  ): Promise<{ status: number; body: Report; headers: Headers }> {
    const res = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body instanceof Uint8Array ? Buffer.from(body) : body,
    });
    return { status: res.status, body: (await res.json()) as Report, headers: res.headers };
  }
  const upload = (pdf: Uint8Array, headers: Record<string, string> = {}) =>
    post(
      '/api/v1/validations',
      pdf,
      { 'content-type': 'application/pdf', ...headers },
      clerk.token,
    );
  const getJson = async (path: string, token: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${hub.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return { status: res.status, body: (await res.json()) as Report };
  };

  before(async () => {
    hub = await startTestHub({ UPLOAD_LIMIT_MB: '1' });
    dir = mkdtempSync(join(tmpdir(), 'lienthong-validation-api-'));
    const org = await makeOrg(hub.ctx, { name: 'Sở Tư pháp tỉnh Thanh Hóa' });
    clerk = await makeUser(hub, org, ['clerk']);
    otherClerk = await makeUser(hub, await makeOrg(hub.ctx), ['clerk']);
    // A seal certificate issued by the hub, its key on the hub: a B-LT signature as the hub makes it.
    const seal = await issueSealCertificate(hub.ctx, principal(clerk), { algorithm: 'rsa2048' });
    const key = await resolveSigningKey(hub.ctx, principal(clerk), seal.id);
    signed = await signPdf(await tinyPdf('Quyet dinh so 12'), {
      signer: key,
      level: 'B-LT',
      reason: 'Phát hành',
      timestamp: hubTsaTimestamp(hub.ctx),
      revocation: hubRevocation(hub.ctx),
    });
  });
  after(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a PDF sealed with a hub-issued key → TOTAL_PASSED, like pdfsig with the hub root', async () => {
    const r = await upload(signed);
    expect(r.status).to.equal(200);
    expect(r.body.document.allValid).to.equal(true);
    const s = r.body.signatures[0];
    expect([r.body.signatures.length, s?.indication]).to.deep.equal([1, 'TOTAL_PASSED']);
    // B-LT needs a valid signature time-stamp: our verdict on the token must be openssl's.
    const token = signatureTimestampToken(parseCms(signatureContents(signed)));
    expect(token).to.not.equal(null);
    writeFileSync(join(dir, 'tst.der'), token as Uint8Array);
    const cms = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-noverify',
        '-inform',
        'DER',
        '-in',
        join(dir, 'tst.der'),
        '-out',
        '/dev/null',
      ],
      { encoding: 'utf8' },
    );
    const opensslOk = cms.status === 0;
    expect(s?.timestamp?.valid, cms.stderr).to.equal(opensslOk);
    expect(s?.level).to.equal(opensslOk ? 'PAdES-BASELINE-LT' : 'PAdES-BASELINE-B');
    expect(r.body.lang).to.equal('vi');
    expect(r.body.summary).to.match(/hợp lệ/i);
    // independent check: poppler's pdfsig, NSS trusting only the hub root
    const nss = join(dir, 'nss');
    spawnSync('mkdir', ['-p', nss]);
    spawnSync('certutil', ['-N', '--empty-password', '-d', `sql:${nss}`]);
    writeFileSync(join(dir, 'root.pem'), toPem((await hubPki(hub.ctx)).root.certificate));
    spawnSync('certutil', [
      '-A',
      '-d',
      `sql:${nss}`,
      '-n',
      'root',
      '-t',
      'CT,C,C',
      '-i',
      join(dir, 'root.pem'),
    ]);
    writeFileSync(join(dir, 'signed.pdf'), signed);
    const out = spawnSync('pdfsig', ['-nssdir', `sql:${nss}`, join(dir, 'signed.pdf')], {
      encoding: 'utf8',
    }).stdout;
    // (the hub's certificates name its OCSP/CRL URLs, unreachable here: the chain is not asked of pdfsig)
    expect(out).to.include('Signature is Valid');
  });

  it('English with Accept-Language: en; multipart "file" is accepted too', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(signed)], { type: 'application/pdf' }), 'qd.pdf');
    const r = await post(
      '/api/v1/validations',
      form,
      { 'accept-language': 'en-US,en;q=0.9' },
      clerk.token,
    );
    expect(r.status).to.equal(200);
    expect(r.body.lang).to.equal('en');
    expect(r.body.summary)
      .to.match(/valid/i)
      .and.not.match(/hợp lệ/);
    expect(r.body.document.allValid).to.equal(true);
  });

  it('a tampered copy (page content replaced after signing) → TOTAL_FAILED', async () => {
    const r = await upload(await tamper.shadowReplace(signed));
    expect(r.status).to.equal(200);
    expect(r.body.signatures[0]?.indication).to.equal('TOTAL_FAILED');
    expect(r.body.document.allValid).to.equal(false);
  });

  it('bytes changed inside the signed range → TOTAL_FAILED HASH_FAILURE', async () => {
    const copy = Uint8Array.from(signed);
    const at = Buffer.from(copy).indexOf('Quyet dinh so 12');
    if (at > 0) copy[at] = 'X'.charCodeAt(0);
    else copy[20] = (copy[20] ?? 0) ^ 1;
    const r = await upload(copy);
    expect(r.body.signatures[0]?.indication).to.equal('TOTAL_FAILED');
  });

  it('not a PDF → 422 problem; wrong content type → 415; no login → 401; too large → 413', async () => {
    const bad = await upload(new TextEncoder().encode('<html>not a pdf</html>'));
    expect([bad.status, bad.body.code]).to.deep.equal([422, 'UNPROCESSABLE']);
    const empty = await upload(new Uint8Array(0));
    expect(empty.status).to.equal(422);
    const json = await post(
      '/api/v1/validations',
      '{}',
      { 'content-type': 'application/json' },
      clerk.token,
    );
    expect(json.status).to.equal(415);
    const anon = await post('/api/v1/validations', signed, { 'content-type': 'application/pdf' });
    expect(anon.status).to.equal(401);
    const big = await upload(new Uint8Array(1024 * 1024 + 10).fill(0x20));
    expect([big.status, big.body.code]).to.deep.equal([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('stored version: validated once, then served from the cache; other organizations get 404', async () => {
    const doc = await createDocument(hub.ctx, principal(clerk), await makeDocumentMeta(), {
      bytes: signed,
      originalName: 'quyet-dinh.pdf',
    });
    const path = `/api/v1/documents/${doc.id}/validation`;
    const first = await getJson(path, clerk.token);
    expect(first.status).to.equal(200);
    expect(first.body.cached).to.equal(false);
    expect(first.body.signatures[0]?.indication).to.equal('TOTAL_PASSED');
    const second = await getJson(`${path}?versionId=${doc.currentVersionId}`, clerk.token, {
      'accept-language': 'en',
    });
    expect(second.body.cached).to.equal(true);
    expect(second.body.lang).to.equal('en');
    expect(second.body.document.sha256).to.equal(first.body.document.sha256);
    expect(second.body.signatures).to.deep.equal(first.body.signatures);
    expect((await getJson(path, otherClerk.token)).status).to.equal(404);
    expect((await getJson(`${path}?versionId=${'0'.repeat(24)}`, clerk.token)).status).to.equal(
      404,
    );
  });

  it('an unsigned stored document: no signatures, not valid', async () => {
    const doc = await makeDocument(hub, clerk);
    const r = await getJson(`/api/v1/documents/${doc.id}/validation`, clerk.token);
    expect(r.status).to.equal(200);
    expect([r.body.document.signatureCount, r.body.document.allValid]).to.deep.equal([0, false]);
  });

  it(`anonymous endpoint: ${PUBLIC_VALIDATIONS_PER_MINUTE} per minute per address, then 429`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PUBLIC_VALIDATIONS_PER_MINUTE + 1; i++)
      statuses.push(
        (await post('/api/v1/public/validations', signed, { 'content-type': 'application/pdf' }))
          .status,
      );
    expect(statuses.slice(0, PUBLIC_VALIDATIONS_PER_MINUTE).every((s) => s === 200)).to.equal(true);
    const last = await post('/api/v1/public/validations', signed, {
      'content-type': 'application/pdf',
    });
    expect([statuses.at(-1), last.status, last.body.code]).to.deep.equal([
      429,
      429,
      'RATE_LIMITED',
    ]);
    expect(last.headers.get('retry-after')).to.be.a('string');
  });
});

async function makeDocumentMeta() {
  return ZDocumentMeta.parse({
    type: 'Quyết định',
    notation: 'QĐ-STP',
    issuePlace: 'Thanh Hóa',
    issueDate: '2026-11-28',
    subject: 'Về việc ban hành quy chế kiểm tra chữ ký số',
    urgency: 'thuong',
    signer: { fullName: 'Nguyễn Văn Tỉnh', position: 'Giám đốc' },
  });
}
