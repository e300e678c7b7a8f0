import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { initHierarchy, loadIdentity } from '../../../server/src/lib/pki/hierarchy.js';
import { answerTimestamp, TSA_FAILURE, type TsaContext } from '../../../server/src/lib/pki/tsa.js';
import {
  buildTimestampQuery,
  parseTimestampReply,
  readTimestampToken,
} from '../../../server/src/lib/pki/tsa-client.js';
import { POLICY } from '../../../server/src/lib/pki/oids.js';
import { withAlgorithm } from '../../../server/src/lib/pki/key-signer.js';
import { PkiError } from '../../../server/src/lib/pki/errors.js';
import { openssl, tempDir, PUBLIC_URL, PASSWORD } from './helpers.js';

function respStatus(der: Uint8Array): pkijs.PKIStatusInfo {
  return new pkijs.TimeStampResp({ schema: asn1js.fromBER(new Uint8Array(der).buffer).result })
    .status;
}

for (const algorithm of ['rsa2048', 'p256'] as const) {
  describe(`pki answerTimestamp (${algorithm})`, function () {
    const tmp = tempDir(`tsa-${algorithm}`);
    const dir = tmp.dir;
    let ctx: TsaContext;
    let serial = 0n;
    const data = join(tmp.dir, 'data.txt');

    before(async function () {
      await initHierarchy({ dir, algorithm, publicUrl: PUBLIC_URL, password: PASSWORD });
      const tsa = loadIdentity(dir, 'tsa', PASSWORD);
      ctx = {
        certificate: tsa.certificate,
        signer: tsa.signer,
        chain: [tsa.chain[0]!],
        policy: POLICY.tsaPolicy,
        // yield between read and write so a racy caller would be caught by the concurrency test
        nextSerial: async () => {
          await Promise.resolve();

          return ++serial;
        },
      };
      writeFileSync(data, 'Công văn số 123/UBND-VP\n');
    });
    after(() => tmp.cleanup());

    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      it(`openssl ts -verify accepts a ${hash} token (certReq)`, async function () {
        const query = join(dir, `q-${hash}.tsq`);
        const reply = join(dir, `r-${hash}.tsr`);
        expect(
          openssl(['ts', '-query', '-data', data, `-${hash}`, '-cert', '-out', query]).status,
        ).to.equal(0);
        writeFileSync(reply, await answerTimestamp(readFileSync(query), ctx));
        const res = openssl([
          'ts',
          '-verify',
          '-data',
          data,
          '-in',
          reply,
          '-CAfile',
          join(dir, 'root-ca.pem'),
          '-untrusted',
          join(dir, 'tsa.chain.pem'),
        ]);
        expect(res.stdout + res.stderr).to.include('Verification: OK');
        const againstQuery = openssl([
          'ts',
          '-verify',
          '-queryfile',
          query,
          '-in',
          reply,
          '-CAfile',
          join(dir, 'root-ca.pem'),
          '-untrusted',
          join(dir, 'tsa.chain.pem'),
        ]);
        expect(
          againstQuery.stdout + againstQuery.stderr,
          'nonce and imprint match the query',
        ).to.include('Verification: OK');
        const text = openssl(['ts', '-reply', '-in', reply, '-text']).stdout;
        expect(text).to.include('Status: Granted');
        expect(text).to.include(`Policy OID: ${POLICY.tsaPolicy}`);
        expect(text).to.match(/Accuracy: 0x01 seconds/);
        expect(text).to.match(/Nonce: 0x[0-9A-F]+/);
      });
    }

    it('echoes the nonce and carries signing-certificate-v2', async function () {
      const digest = createHash('sha256').update('x').digest();
      const { query, nonce } = buildTimestampQuery(digest, 'sha256', {
        nonce: 0x1234567890abcdefn,
        certReq: true,
      });
      const token = parseTimestampReply(await answerTimestamp(query, ctx), { nonce, digest });
      expect(readTimestampToken(token).nonce).to.equal(0x1234567890abcdefn);
      const tokenFile = join(dir, 'token.der');
      writeFileSync(tokenFile, token);
      const cms = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', tokenFile]).stdout;
      expect(cms).to.include('id-smime-aa-signingCertificateV2');
    });

    it('omits certificates when certReq is false', async function () {
      const digest = createHash('sha256').update('y').digest();
      const { query } = buildTimestampQuery(digest, 'sha256', { certReq: false });
      const token = parseTimestampReply(await answerTimestamp(query, ctx));
      const signed = new pkijs.SignedData({
        schema: new pkijs.ContentInfo({
          schema: asn1js.fromBER(new Uint8Array(token).buffer).result,
        }).content,
      });
      expect(signed.certificates ?? []).to.have.length(0);
    });

    it('gives strictly increasing serials under 50 concurrent requests', async function () {
      const digest = createHash('sha256').update('z').digest();
      const replies = await Promise.all(
        Array.from({ length: 50 }, () =>
          answerTimestamp(buildTimestampQuery(digest, 'sha256').query, ctx),
        ),
      );
      const serials = replies.map((r) => readTimestampToken(parseTimestampReply(r)).serial);
      expect(new Set(serials).size).to.equal(50);
      const sorted = [...serials].sort((a, b) => (a < b ? -1 : 1));
      expect(serials).to.deep.equal(sorted);
    });

    it('rejects garbage, wrong digest lengths and unknown algorithms without throwing', async function () {
      const garbage = await answerTimestamp(new Uint8Array([0xde, 0xad]), ctx);
      expect(respStatus(garbage).status).to.equal(2);
      const garbageFile = join(dir, 'garbage.tsr');
      writeFileSync(garbageFile, garbage);
      expect(openssl(['ts', '-reply', '-in', garbageFile, '-text']).stdout).to.include(
        'Status: Rejected',
      );

      const sha256 = buildTimestampQuery(createHash('sha256').update('a').digest(), 'sha256').query;
      // flip the imprint's algorithm OID to SHA-1 (1.3.14.3.2.26) by rebuilding the request
      const req = new pkijs.TimeStampReq({
        schema: asn1js.fromBER(new Uint8Array(sha256).buffer).result,
      });
      req.messageImprint.hashAlgorithm = new pkijs.AlgorithmIdentifier({
        algorithmId: '1.3.14.3.2.26',
      });
      const badAlg = await answerTimestamp(new Uint8Array(req.toSchema().toBER()), ctx);
      expect(respStatus(badAlg).status).to.equal(2);
      expect(respStatus(badAlg).failInfo?.valueBlock.valueHexView[0]).to.equal(
        0x80 >> TSA_FAILURE.badAlg,
      );
      expect(() => parseTimestampReply(badAlg))
        .to.throw(PkiError)
        .with.property('code', 'PKI_TSA_REJECTED');

      const shortReq = new pkijs.TimeStampReq({
        schema: asn1js.fromBER(new Uint8Array(sha256).buffer).result,
      });
      shortReq.messageImprint.hashedMessage = new asn1js.OctetString({
        valueHex: new Uint8Array(31).buffer,
      });
      const short = await answerTimestamp(new Uint8Array(shortReq.toSchema().toBER()), ctx);
      expect(respStatus(short).status).to.equal(2);
      expect(respStatus(short).failInfo?.valueBlock.valueHexView[0]).to.equal(
        0x80 >> TSA_FAILURE.badDataFormat,
      );
    });

    if (algorithm === 'rsa2048') {
      it('a token signed with RSASSA-PSS (salt 32) verifies with openssl cms (openssl ts is PKCS#7-only and cannot)', async function () {
        const pss: TsaContext = {
          ...ctx,
          signer: withAlgorithm(ctx.signer, { scheme: 'RSA-PSS', hash: 'sha256' }),
        };
        const query = join(dir, 'q-pss.tsq');
        const reply = join(dir, 'r-pss.tsr');
        expect(
          openssl(['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]).status,
        ).to.equal(0);
        writeFileSync(reply, await answerTimestamp(readFileSync(query), pss));
        const token = join(dir, 'pss-token.der');
        writeFileSync(token, parseTimestampReply(readFileSync(reply)));
        expect(
          openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', token]).stdout,
        ).to.include('rsassaPss');
        const verified = openssl([
          'cms',
          '-verify',
          '-inform',
          'DER',
          '-in',
          token,
          '-CAfile',
          join(dir, 'root-ca.pem'),
          '-certfile',
          join(dir, 'tsa.chain.pem'),
          '-purpose',
          'any',
          '-out',
          join(dir, 'tst-info.der'),
        ]);
        expect(verified.stdout + verified.stderr).to.include('Verification successful');
      });
    }

    it('client helpers refuse a mismatched nonce', async function () {
      const digest = createHash('sha256').update('n').digest();
      const { query } = buildTimestampQuery(digest, 'sha256', { nonce: 5n });
      const reply = await answerTimestamp(query, ctx);
      expect(() => parseTimestampReply(reply, { nonce: 6n }))
        .to.throw(PkiError)
        .with.property('code', 'PKI_TSA_MISMATCH');
      expect(() => buildTimestampQuery(digest, 'sha384')).to.throw(PkiError);
    });
  });
}
