import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as asn1js from 'asn1js';
import { initHierarchy, loadIdentity } from '../../../server/src/lib/pki/hierarchy.js';
import {
  answerOcsp,
  ocspRequestFromGetPath,
  OCSP_STATUS,
  type CertStatus,
  type OcspContext,
} from '../../../server/src/lib/pki/ocsp.js';
import { certificateSerialHex, parseCertificate } from '../../../server/src/lib/pki/certificate.js';
import { tempDir, PUBLIC_URL, PASSWORD } from './helpers.js';

/** openssl ocsp is a client that must talk to a server, so spawn it asynchronously. */
function opensslAsync(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('openssl', args);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', () => resolve(out));
  });
}

function responseStatus(der: Uint8Array): number {
  const parsed = asn1js.fromBER(new Uint8Array(der).slice().buffer);
  const seq = parsed.result as asn1js.Sequence;

  return (seq.valueBlock.value[0] as asn1js.Enumerated).valueBlock.valueDec;
}

for (const algorithm of ['rsa2048', 'p256'] as const) {
  describe(`pki answerOcsp (${algorithm})`, function () {
    const tmp = tempDir(`ocsp-${algorithm}`);
    const dir = tmp.dir;
    let server: Server;
    let url = '';
    const statuses = new Map<string, CertStatus>();
    let ctx: OcspContext;
    let signerSerial = '';

    before(async function () {
      await initHierarchy({ dir, algorithm, publicUrl: PUBLIC_URL, password: PASSWORD });
      const responder = loadIdentity(dir, 'ocsp', PASSWORD);
      const issuing = loadIdentity(dir, 'issuing-ca', PASSWORD);
      signerSerial = certificateSerialHex(
        parseCertificate(loadIdentity(dir, 'demo-signer', PASSWORD).certificate),
      );
      ctx = {
        responder: { certificate: responder.certificate, signer: responder.signer },
        issuer: issuing.certificate,
        lookup: async (serialHex) => statuses.get(serialHex) ?? { status: 'unknown' },
      };
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body =
            req.method === 'GET'
              ? ocspRequestFromGetPath((req.url ?? '/').slice(1))
              : Buffer.concat(chunks);
          void answerOcsp(body, ctx).then((answer) => {
            res.writeHead(200, { 'content-type': 'application/ocsp-response' });
            res.end(Buffer.from(answer));
          });
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => {
      server.close();
      tmp.cleanup();
    });

    const ask = (cert = 'demo-signer.pem', extra: string[] = []) =>
      opensslAsync([
        'ocsp',
        '-issuer',
        join(dir, 'issuing-ca.pem'),
        '-cert',
        join(dir, cert),
        '-url',
        url,
        '-CAfile',
        join(dir, 'root-ca.pem'),
        '-resp_text',
        ...extra,
      ]);

    it('answers good, verified by openssl against the root, nonce echoed', async function () {
      statuses.set(signerSerial, { status: 'good' });
      const out = await ask();
      expect(out).to.include('Response verify OK');
      expect(out).to.match(/demo-signer\.pem: good/);
      expect(out).to.include('OCSP Nonce');
      expect(out).not.to.include('WARNING: no nonce');
    });

    it('answers revoked with time and reason', async function () {
      statuses.set(signerSerial, {
        status: 'revoked',
        revokedAt: new Date('2025-03-04T05:06:07Z'),
        reason: 1,
      });
      const out = await ask();
      expect(out).to.include('Response verify OK');
      expect(out).to.match(/demo-signer\.pem: revoked/);
      expect(out).to.include('Reason: keyCompromise');
      expect(out).to.include('Revocation Time: Mar  4 05:06:07 2025 GMT');
    });

    it('answers unknown for a serial the lookup does not know', async function () {
      statuses.clear();
      const out = await ask('demo-seal.pem');
      expect(out).to.include('Response verify OK');
      expect(out).to.match(/demo-seal\.pem: unknown/);
    });

    it('serves the GET form (base64 in the path)', async function () {
      statuses.set(signerSerial, { status: 'good' });
      // openssl ocsp -reqout then a GET of the URL-encoded base64 request
      const reqFile = join(dir, 'req.der');
      await opensslAsync([
        'ocsp',
        '-issuer',
        join(dir, 'issuing-ca.pem'),
        '-cert',
        join(dir, 'demo-signer.pem'),
        '-reqout',
        reqFile,
      ]);
      const b64 = encodeURIComponent(readFileSync(reqFile).toString('base64'));
      const res = await fetch(`${url}${b64}`);
      const answer = new Uint8Array(await res.arrayBuffer());
      expect(responseStatus(answer)).to.equal(OCSP_STATUS.successful);
    });

    it('answers malformedRequest for garbage and never throws', async function () {
      for (const garbage of [
        new Uint8Array(),
        new Uint8Array([1, 2, 3]),
        new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]),
      ]) {
        expect(responseStatus(await answerOcsp(garbage, ctx))).to.equal(
          OCSP_STATUS.malformedRequest,
        );
      }
      const res = await fetch(url, { method: 'POST', body: 'not an OCSP request' });
      const out = new Uint8Array(await res.arrayBuffer());
      expect(Buffer.from(out).toString('hex')).to.equal('30030a0101');
    });

    it('answers internalError when the lookup fails', async function () {
      const reqFile = join(dir, 'req.der');
      const failing: OcspContext = {
        ...ctx,
        lookup: async () => Promise.reject(new Error('db down')),
      };
      expect(responseStatus(await answerOcsp(readFileSync(reqFile), failing))).to.equal(
        OCSP_STATUS.internalError,
      );
    });
  });
}
