import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  validatePdf,
  ZValidationReport,
  type TSignatureReport,
  type TValidationReport,
} from '../../../server/src/lib/validation/index.js';
import { LibraryError } from '../../../server/src/errors/library-error.js';
import { createValidationPki, type ValidationPki } from '../../support/validation-pki.js';
import * as tamper from '../../support/tamper.js';
import * as f from './fixtures.js';

/**
 * pdfsig's verdict with an NSS database that trusts the test root. `-no-ocsp` is not passed:
 * poppler 22.12 then reports "Unknown issue with Certificate or corrupted data" for every chain
 * (a stale NSS error with the OCSP-disabled policy); the test certificates carry no AIA/CRL URL,
 * so nothing is fetched anyway and revocation is not checked by pdfsig.
 */
function pdfsig(
  nssDir: string,
  bytes: Uint8Array,
): { valid: boolean; trusted: boolean; out: string } {
  const file = join(nssDir, 'in.pdf');
  writeFileSync(file, bytes);
  const r = spawnSync('pdfsig', ['-nssdir', `sql:${nssDir}`, file], {
    encoding: 'utf8',
  });
  const out = r.stdout + r.stderr;
  const first = out.split(/Signature #2:/)[0] ?? '';
  return {
    valid: first.includes('Signature is Valid'),
    trusted: first.includes('Certificate is Trusted'),
    out,
  };
}

/** NSS's PKIX chain verdict for email-signing usage, trusting only the NSS db's root. */
function vfychain(nssDir: string, leaf: Uint8Array, ...intermediates: Uint8Array[]): boolean {
  const files = [leaf, ...intermediates].map((der, i) => {
    const p = join(nssDir, `c${i}.der`);
    writeFileSync(p, der);
    return p;
  });
  const r = spawnSync('vfychain', ['-d', `sql:${nssDir}`, '-pp', '-u', '4', ...files], {
    encoding: 'utf8',
  });
  return (r.stdout + r.stderr).includes('Chain is good!');
}

describe('validation: validatePdf', function () {
  this.timeout(120_000);
  let pki: ValidationPki;
  let nss: string;
  let anchors: Uint8Array[];
  const validate = async (bytes: Uint8Array, now?: Date): Promise<TValidationReport> => {
    const report = await validatePdf(bytes, { trustAnchors: anchors, now });
    ZValidationReport.parse(report);
    return report;
  };
  const first = (r: TValidationReport): TSignatureReport => {
    const s = r.signatures[0];
    if (!s) throw new Error('no signature in report');
    return s;
  };
  /** Signed with revocation info in the CMS (adbe archival), so the verdict is final offline. */
  const signed = async (
    signer = (): ValidationPki['signerRsa'] => pki.signerRsa,
    extra: Partial<f.CmsOptions & f.PlaceholderOptions> = {},
  ): Promise<Uint8Array> =>
    f.addSignature((await f.basePdf()).bytes, {
      signer: signer(),
      chain: [pki.ca],
      revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      ...extra,
    });

  before(() => {
    pki = createValidationPki();
    anchors = [Buffer.from(pki.root.certPem)];
    nss = mkdtempSync(join(tmpdir(), 'lt-nss-'));
    execFileSync('certutil', ['-N', '--empty-password', '-d', `sql:${nss}`]);
    execFileSync('certutil', [
      '-A',
      '-d',
      `sql:${nss}`,
      '-n',
      'root',
      '-t',
      'CT,C,C',
      '-i',
      pki.root.certPath,
    ]);
  });
  after(() => {
    pki.cleanup();
    rmSync(nss, { recursive: true, force: true });
  });

  describe('valid signatures from other tools', () => {
    it('@signpdf adbe.pkcs7.detached + DSS → TOTAL_PASSED, like pdfsig', async () => {
      const pdf = await f.addDss(
        await f.signWithSignpdf(pki, pki.signerRsa),
        f.revocationFor(pki, pki.signerRsa),
      );
      const s = first(await validate(pdf));
      expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_PASSED', null]);
      expect(s.subFilter).to.equal('adbe.pkcs7.detached');
      expect(s.level).to.equal('PDF_NOT_ETSI');
      expect(s.signer?.commonName).to.equal('Nguyen Van A');
      expect(s.signer?.organizationIdentifier).to.equal('VNTVN-0101234567');
      expect(s.chain.map((c) => c.revocation?.source ?? null)).to.deep.equal(['DSS', 'DSS', null]);
      expect(s.coversWholeDocument).to.equal(false);
      expect(s.modifications.every((m) => m.allowed)).to.equal(true);
      expect(pdfsig(nss, pdf)).to.include({ valid: true, trusted: true });
      expect(vfychain(nss, pki.signerRsa.certDer, pki.ca.certDer)).to.equal(true);
    });

    it('openssl cms -sign (EC P-256) + DSS → TOTAL_PASSED, like pdfsig', async () => {
      const pdf = await f.addDss(
        await f.signWithOpensslCms(pki, pki.signerEc),
        f.revocationFor(pki, pki.signerEc),
      );
      const s = first(await validate(pdf));
      expect([s.indication, s.subIndication]).to.deep.equal(['TOTAL_PASSED', null]);
      expect(s.signatureAlgorithm).to.match(/ECDSA/);
      expect(pdfsig(nss, pdf)).to.include({ valid: true, trusted: true });
      expect(vfychain(nss, pki.signerEc.certDer, pki.ca.certDer)).to.equal(true);
    });

    it('without any revocation information → INDETERMINATE TRY_LATER', async () => {
      const s = first(await validate(await f.signWithSignpdf(pki, pki.signerRsa)));
      expect([s.indication, s.subIndication]).to.deep.equal(['INDETERMINATE', 'TRY_LATER']);
    });

    it('RSASSA-PSS CAdES with archival revocation covers the whole document → TOTAL_PASSED B-B', async () => {
      const pdf = await signed(undefined, { pss: true });
      const s = first(await validate(pdf));
      expect([s.indication, s.subIndication, s.level]).to.deep.equal([
        'TOTAL_PASSED',
        null,
        'PAdES-BASELINE-B',
      ]);
      expect(s.signatureAlgorithm).to.equal('RSASSA-PSS(sha256)');
      expect(s.coversWholeDocument).to.equal(true);
      expect(s.chain[0]?.revocation?.source).to.equal('CMS');
      expect(pdfsig(nss, pdf)).to.include({ valid: true, trusted: true });
    });
  });

  describe('levels', () => {
    it('B-T, B-LT, B-LTA as time-stamp, DSS and document time-stamp are added', async () => {
      const t = await signed(undefined, { tsa: pki });
      const rt = first(await validate(t));
      expect([rt.indication, rt.level]).to.deep.equal(['TOTAL_PASSED', 'PAdES-BASELINE-T']);
      expect(rt.provenTime).to.be.a('string');
      const lt = await f.addDss(t, f.revocationFor(pki, pki.signerRsa));
      expect(first(await validate(lt)).level).to.equal('PAdES-BASELINE-LT');
      const lta = await f.addDocTimestamp(lt, pki);
      const r = await validate(lta);
      expect(r.signatures.map((s) => [s.type, s.indication, s.level])).to.deep.equal([
        ['SIGNATURE', 'TOTAL_PASSED', 'PAdES-BASELINE-LTA'],
        ['DOC_TIMESTAMP', 'TOTAL_PASSED', null],
      ]);
      expect(r.document).to.include({
        totalRevisions: 4,
        signatureCount: 1,
        timestampCount: 1,
        allValid: true,
      });
      const file = join(nss, 'lta.pdf');
      writeFileSync(file, lta);
      expect(spawnSync('qpdf', ['--check', file]).status).to.equal(0);
    });
  });

  describe('tamper corpus (0 false TOTAL_PASSED)', () => {
    const expectVerdict = (s: TSignatureReport, indication: string, sub: string | null): void => {
      expect(
        [s.indication, s.subIndication],
        JSON.stringify(s.messages.map((m) => m.en)),
      ).to.deep.equal([indication, sub]);
    };

    it('one byte changed inside a signed range → TOTAL_FAILED HASH_FAILURE (pdfsig agrees)', async () => {
      const pdf = tamper.flipByteInSignedRange(await signed());
      expectVerdict(first(await validate(pdf)), 'TOTAL_FAILED', 'HASH_FAILURE');
      expect(pdfsig(nss, pdf).valid).to.equal(false);
    });

    it('wrong message-digest attribute → TOTAL_FAILED HASH_FAILURE', async () => {
      expectVerdict(
        first(await validate(await signed(undefined, { wrongDigest: true }))),
        'TOTAL_FAILED',
        'HASH_FAILURE',
      );
    });

    it('broken signature value → TOTAL_FAILED SIG_CRYPTO_FAILURE (pdfsig agrees)', async () => {
      const pdf = tamper.breakSignatureValue(await signed());
      expectVerdict(first(await validate(pdf)), 'TOTAL_FAILED', 'SIG_CRYPTO_FAILURE');
      expect(pdfsig(nss, pdf).valid).to.equal(false);
    });

    it('truncated /Contents → TOTAL_FAILED FORMAT_FAILURE', async () => {
      expectVerdict(
        first(await validate(tamper.truncateContents(await signed()))),
        'TOTAL_FAILED',
        'FORMAT_FAILURE',
      );
    });

    it('ByteRange that skips bytes → TOTAL_FAILED FORMAT_FAILURE', async () => {
      const s = first(await validate(tamper.byteRangeSkipsBytes(await signed())));
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      expect(s.messages[0]?.code).to.equal('BYTE_RANGE_INVALID');
    });

    it('untrusted root → INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND (pdfsig: not trusted)', async () => {
      const pdf = await f.addSignature((await f.basePdf()).bytes, {
        signer: pki.signerUntrusted,
        chain: [pki.otherRoot],
      });
      expectVerdict(first(await validate(pdf)), 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND');
      expect(pdfsig(nss, pdf).trusted).to.equal(false);
      expect(vfychain(nss, pki.signerUntrusted.certDer, pki.otherRoot.certDer)).to.equal(false);
    });

    it('expired certificate without time-stamp → INDETERMINATE OUT_OF_BOUNDS_NO_POE', async () => {
      const pdf = await f.addSignature((await f.basePdf()).bytes, {
        signer: pki.signerExpired,
        chain: [pki.ca],
      });
      expectVerdict(first(await validate(pdf)), 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE');
    });

    it('expired certificate, time-stamp after expiry → TOTAL_FAILED EXPIRED', async () => {
      const pdf = await f.addSignature((await f.basePdf()).bytes, {
        signer: pki.signerExpired,
        chain: [pki.ca],
        tsa: pki,
      });
      expectVerdict(first(await validate(pdf)), 'TOTAL_FAILED', 'EXPIRED');
    });

    it('signed (time-stamped) after the certificate was revoked → TOTAL_FAILED REVOKED', async () => {
      const pdf = await signed(() => pki.signerRevoked, { tsa: pki });
      const s = first(await validate(pdf));
      expectVerdict(s, 'TOTAL_FAILED', 'REVOKED');
      expect(s.chain[0]?.revocation).to.include({ status: 'revoked', reason: 'keyCompromise' });
    });

    it('revoked certificate without time-stamp (OCSP in DSS) → INDETERMINATE REVOKED_NO_POE', async () => {
      const pdf = await f.addDss(
        await f.addSignature((await f.basePdf()).bytes, {
          signer: pki.signerRevoked,
          chain: [pki.ca],
        }),
        f.revocationFor(pki, pki.signerRevoked),
      );
      const s = first(await validate(pdf));
      expectVerdict(s, 'INDETERMINATE', 'REVOKED_NO_POE');
      expect(s.chain[0]?.revocation?.source).to.equal('DSS');
    });

    it('page content replaced in an incremental update → TOTAL_FAILED FORMAT_FAILURE with the change listed', async () => {
      const pdf = await tamper.replacePageContent(await signed());
      const s = first(await validate(pdf));
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      const bad = s.modifications.filter((m) => !m.allowed);
      expect(bad.map((m) => [m.kind, m.change, m.page, m.revision])).to.deep.include.members([
        ['page', 'changed', 1, 3],
        ['page-content', 'added', 1, 3],
      ]);
      expect(pdfsig(nss, pdf).valid, 'pdfsig only checks the signed bytes').to.equal(true);
    });

    it('shadow hide: overlay annotation added after a certification (DocMDP P=2) → SHADOW_HIDE', async () => {
      // After an approval signature it is only a warning (DSS's default policy): revision-changes.test.ts.
      const s = first(
        await validate(await tamper.shadowHide(await signed(undefined, { docMdpP: 2 }))),
      );
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      expect(
        s.modifications.filter((m) => !m.allowed).map((m) => [m.kind, m.attack]),
      ).to.deep.include(['annotation', 'SHADOW_HIDE']);
    });

    it('shadow replace: font object redefined with the same number → SHADOW_REPLACE', async () => {
      const s = first(await validate(await tamper.shadowReplace(await signed())));
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      const bad = s.modifications.filter((m) => !m.allowed);
      expect(bad.map((m) => [m.kind, m.change, m.attack])).to.deep.equal([
        ['font', 'changed', 'SHADOW_REPLACE'],
      ]);
    });

    it('shadow hide-and-replace: page switched to content prepared unused before signing', async () => {
      const base = await f.basePdf({ prepared: true });
      const signedPdf = await f.addSignature(base.bytes, {
        signer: pki.signerRsa,
        chain: [pki.ca],
        revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      });
      expectVerdict(first(await validate(signedPdf)), 'TOTAL_PASSED', null);
      const s = first(
        await validate(await tamper.shadowHideAndReplace(signedPdf, base.preparedRef ?? -1)),
      );
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      const prepared = s.modifications.find((m) => m.objectNumber === base.preparedRef);
      expect(prepared).to.include({
        kind: 'page-content',
        allowed: false,
        attack: 'SHADOW_HIDE_AND_REPLACE',
      });
    });

    it('incremental-saving attack: objects appended without xref → TOTAL_FAILED, INCREMENTAL_SAVING', async () => {
      const r = await validate(await tamper.appendObjectsWithoutXref(await signed()));
      const s = first(r);
      expectVerdict(s, 'TOTAL_FAILED', 'FORMAT_FAILURE');
      expect(s.modifications.map((m) => m.attack)).to.include('INCREMENTAL_SAVING');
      expect(s.coversWholeDocument).to.equal(false);
      expect(r.document.messages.map((m) => m.code)).to.include('APPENDED_BYTES');
    });

    it('a second signature added later keeps the first one valid (allowed changes only)', async () => {
      const two = await f.addSignature(await signed(), {
        signer: pki.signerEc,
        chain: [pki.ca],
        revocation: { crls: [pki.caCrl, pki.rootCrl], ocsps: [] },
      });
      const r = await validate(two);
      expect(
        r.signatures.map((s) => [s.indication, s.coveredRevision, s.coversWholeDocument]),
      ).to.deep.equal([
        ['TOTAL_PASSED', 2, false],
        ['TOTAL_PASSED', 3, true],
      ]);
      expect(r.signatures[0]?.modifications.every((m) => m.allowed)).to.equal(true);
    });
  });

  describe('unusable input', () => {
    for (const [name, bytes] of [
      ['empty', new Uint8Array()],
      ['not a PDF', new TextEncoder().encode('hello, this is not a pdf')],
      ['truncated', new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<< /Type /Catalog')],
    ] as const) {
      it(`${name} → LibraryError PDF_UNREADABLE`, async () => {
        const err = await validatePdf(bytes, { trustAnchors: anchors }).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(LibraryError);
        expect((err as LibraryError).code).to.equal('PDF_UNREADABLE');
      });
    }

    it('a document without signatures is not valid', async () => {
      const r = await validate((await f.basePdf()).bytes);
      expect(r.document).to.include({ signatureCount: 0, allValid: false });
    });

    it('bad trust anchor → TRUST_ANCHOR_INVALID', async () => {
      const err = await validatePdf((await f.basePdf()).bytes, {
        trustAnchors: [new Uint8Array([1, 2, 3])],
      }).catch((e: unknown) => e);
      expect((err as LibraryError).code).to.equal('TRUST_ANCHOR_INVALID');
    });
  });
});
