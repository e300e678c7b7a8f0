/**
 * Throughput of the in-process RFC 3161 TSA and RFC 6960 OCSP responder on one core:
 * sequential calls after a warm-up, for each key algorithm. Run: npx tsx scripts/bench-pki.ts
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import * as asn1js from 'asn1js';
import {
  generateKeyPair,
  createKeySigner,
  type KeyAlgorithm,
} from '../server/src/lib/pki/key-signer.js';
import {
  issueCertificate,
  certificateSerialHex,
  parseCertificate,
} from '../server/src/lib/pki/certificate.js';
import { answerTimestamp } from '../server/src/lib/pki/tsa.js';
import { buildTimestampQuery } from '../server/src/lib/pki/tsa-client.js';
import { answerOcsp } from '../server/src/lib/pki/ocsp.js';
import { POLICY, OID } from '../server/src/lib/pki/oids.js';

const PUBLIC_URL = 'http://localhost:3000';
const WARMUP = 50;
const SECONDS = 2;

async function rate(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await fn();
    count++;
  }

  return count / ((performance.now() - start) / 1000);
}

async function setup(algorithm: KeyAlgorithm) {
  const caKeys = generateKeyPair(algorithm);
  const ca = { signer: createKeySigner(caKeys.privateKey) };
  const root = await issueCertificate({
    kind: 'root-ca',
    subject: { commonName: 'Bench CA' },
    publicKey: caKeys.publicKey,
    issuer: ca,
    publicUrl: PUBLIC_URL,
  });
  const issuer = { certificate: root.der, signer: ca.signer };
  const eeKeys = generateKeyPair(algorithm);
  const signer = createKeySigner(eeKeys.privateKey);
  const tsa = await issueCertificate({
    kind: 'tsa',
    subject: { commonName: 'Bench TSA' },
    publicKey: eeKeys.publicKey,
    issuer,
    publicUrl: PUBLIC_URL,
  });
  const ocsp = await issueCertificate({
    kind: 'ocsp',
    subject: { commonName: 'Bench OCSP' },
    publicKey: eeKeys.publicKey,
    issuer,
    publicUrl: PUBLIC_URL,
  });

  return { root: root.der, tsa: tsa.der, ocsp: ocsp.der, signer };
}

/** An OCSP request for `cert` (SHA-1 CertID, as openssl sends) with a nonce. */
function ocspRequest(issuerDer: Uint8Array, certDer: Uint8Array): Uint8Array {
  const issuer = parseCertificate(issuerDer);
  const cert = parseCertificate(certDer);
  const sha1 = (b: Uint8Array) =>
    new asn1js.OctetString({
      valueHex: new Uint8Array(createHash('sha1').update(b).digest()).buffer,
    });
  const certId = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.ObjectIdentifier({ value: OID.sha1 }), new asn1js.Null()],
      }),
      sha1(new Uint8Array(issuer.subject.toSchema().toBER())),
      sha1(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
      cert.serialNumber,
    ],
  });
  const nonce = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID.ocspNonce }),
      new asn1js.OctetString({
        valueHex: new asn1js.OctetString({ valueHex: new Uint8Array(16).buffer }).toBER(),
      }),
    ],
  });
  const tbs = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 2 },
        value: [new asn1js.Sequence({ value: [nonce] })],
      }),
    ],
  });

  return new Uint8Array(new asn1js.Sequence({ value: [tbs] }).toBER());
}

export async function benchPki(): Promise<void> {
  for (const algorithm of ['rsa2048', 'rsa3072', 'p256'] as const) {
    const { root, tsa, ocsp, signer } = await setup(algorithm);
    let serial = 0n;
    const tsaCtx = {
      certificate: tsa,
      signer,
      chain: [root],
      policy: POLICY.tsaPolicy,
      nextSerial: async () => ++serial,
    };
    const query = buildTimestampQuery(createHash('sha256').update('bench').digest(), 'sha256', {
      certReq: true,
    }).query;
    const tsPerSecond = await rate(() => answerTimestamp(query, tsaCtx));

    const serialHex = certificateSerialHex(parseCertificate(tsa));
    const ocspCtx = {
      responder: { certificate: ocsp, signer },
      issuer: root,
      lookup: async (hex: string) =>
        hex === serialHex ? { status: 'good' as const } : { status: 'unknown' as const },
    };
    const request = ocspRequest(root, tsa);
    const probe = await answerOcsp(request, ocspCtx);
    // 0x0a 0x01 0x00: responseStatus successful; a malformed answer would make the number meaningless
    if (Buffer.from(probe).indexOf(Buffer.from([0x0a, 0x01, 0x00])) < 0)
      throw new Error('OCSP bench request was not answered successfully');
    const ocspPerSecond = await rate(() => answerOcsp(request, ocspCtx));
    console.log(
      `${algorithm.padEnd(8)} timestamps/s: ${tsPerSecond.toFixed(0).padStart(6)}   OCSP responses/s: ${ocspPerSecond.toFixed(0).padStart(6)}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchPki();
}
