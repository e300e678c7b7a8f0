import {
  constants,
  createHash,
  sign as nativeSign,
  verify as nativeVerify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { ExclusiveCanonicalization, SignedXml, type SignatureAlgorithm } from 'xml-crypto';
import { childElements, findAllDeep, parseXml } from './dom.js';
import { ecdsaDerToRaw } from './ecdsa.js';
import { EdxmlError } from './errors.js';
import {
  DSIG_NS,
  ECDSA_SHA256,
  ENVELOPED,
  EXC_C14N,
  RSA_SHA256,
  SHA256_DIGEST,
} from './namespaces.js';

export type XmlSignatureAlgorithm = 'rsa-sha256' | 'ecdsa-sha256';

/**
 * Whoever holds the sending organization's key (a KeyObject here, an HSM elsewhere). `sign`
 * hashes with SHA-256 and returns an RSASSA-PKCS1-v1_5 value, or for ECDSA the DER
 * Ecdsa-Sig-Value Node and HSMs produce (converted to r‖s for XML-DSig here).
 */
export type XmlSigner = {
  certificateDer: Uint8Array;
  /** CA certificates written after the signer's in X509Data, so a receiver needs only the root. */
  chainDer?: Uint8Array[];
  algorithm: XmlSignatureAlgorithm;
  sign(data: Uint8Array): Promise<Uint8Array>;
};

const METHOD_URI: Record<XmlSignatureAlgorithm, string> = {
  'rsa-sha256': RSA_SHA256,
  'ecdsa-sha256': ECDSA_SHA256,
};

/** Where a writer wants the Signature element; replaced by signEnveloped. */
export const SIGNATURE_SLOT = '<!--edxml:signature-->';
const DIGEST_SLOT = '__EDXML_DIGEST__';
const VALUE_SLOT = '__EDXML_SIGNATURE_VALUE__';

/** Native signer over a private key; PKCS#1 v1.5 for RSA (what XML-DSig receivers verify). */
export function xmlSignerFromKey(
  privateKey: KeyObject,
  certificateDer: Uint8Array,
  chainDer: Uint8Array[] = [],
): XmlSigner {
  const ec = privateKey.asymmetricKeyType === 'ec';
  if (!ec && privateKey.asymmetricKeyType !== 'rsa') {
    throw new EdxmlError(
      'EDXML_UNSUPPORTED_ALGORITHM',
      `keys of type ${privateKey.asymmetricKeyType ?? '?'} cannot sign edXML; use RSA or ECDSA P-256`,
    );
  }
  const options = ec
    ? { key: privateKey, dsaEncoding: 'der' as const }
    : { key: privateKey, padding: constants.RSA_PKCS1_PADDING };

  return {
    certificateDer,
    ...(chainDer.length ? { chainDer } : {}),
    algorithm: ec ? 'ecdsa-sha256' : 'rsa-sha256',
    sign: async (data) => new Uint8Array(nativeSign('sha256', data, options)),
  };
}

function signatureTemplate(signer: XmlSigner): string {
  const certs = [signer.certificateDer, ...(signer.chainDer ?? [])]
    .map((c) => `<X509Certificate>${Buffer.from(c).toString('base64')}</X509Certificate>`)
    .join('');
  const subject = new X509Certificate(signer.certificateDer).subject.replaceAll('\n', ', ');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

  return (
    `<Signature xmlns="${DSIG_NS}"><SignedInfo>` +
    `<CanonicalizationMethod Algorithm="${EXC_C14N}"/>` +
    `<SignatureMethod Algorithm="${METHOD_URI[signer.algorithm]}"/>` +
    `<Reference URI=""><Transforms><Transform Algorithm="${ENVELOPED}"/>` +
    `<Transform Algorithm="${EXC_C14N}"/></Transforms>` +
    `<DigestMethod Algorithm="${SHA256_DIGEST}"/><DigestValue>${DIGEST_SLOT}</DigestValue>` +
    `</Reference></SignedInfo><SignatureValue>${VALUE_SLOT}</SignatureValue>` +
    `<KeyInfo><X509Data><X509SubjectName>${esc(subject)}</X509SubjectName>` +
    `${certs}</X509Data></KeyInfo></Signature>`
  );
}

function signatureElements(doc: Document): Element[] {
  return findAllDeep(
    doc.documentElement!,
    (e) => e.localName === 'Signature' && e.namespaceURI === DSIG_NS,
  );
}

function c14n(e: Element): string {
  return new ExclusiveCanonicalization().process(e as never, {});
}

/**
 * Enveloped XML-DSig over the whole document (Reference URI=""), exclusive C14N, SHA-256:
 * xml-crypto canonicalizes, Node's crypto (or the signer's HSM) signs. The Signature goes where
 * the writer put SIGNATURE_SLOT (inside edXMLHeader).
 */
export async function signEnveloped(xml: string, signer: XmlSigner): Promise<string> {
  if (!xml.includes(SIGNATURE_SLOT)) {
    throw new EdxmlError('EDXML_BAD_INPUT', 'the document has no place for the signature');
  }
  const withTemplate = xml.replace(SIGNATURE_SLOT, signatureTemplate(signer));
  const forDigest = parseXml(withTemplate);
  for (const s of signatureElements(forDigest)) s.parentNode!.removeChild(s);
  const digest = createHash('sha256').update(c14n(forDigest.documentElement!)).digest('base64');
  const withDigest = withTemplate.replace(DIGEST_SLOT, digest);
  const signedInfo = findAllDeep(
    parseXml(withDigest).documentElement!,
    (e) => e.localName === 'SignedInfo' && e.namespaceURI === DSIG_NS,
  )[0]!;
  let value = await signer.sign(new Uint8Array(Buffer.from(c14n(signedInfo), 'utf8')));
  if (signer.algorithm === 'ecdsa-sha256') value = ecdsaDerToRaw(value);

  return withDigest.replace(VALUE_SLOT, Buffer.from(value).toString('base64'));
}

/** xml-crypto verifies RSA only; ECDSA (r‖s, RFC 6931) is plugged in with Node's verify. */
class EcdsaSha256 implements SignatureAlgorithm {
  getSignature(): string {
    throw new Error('verification only');
  }
  verifySignature(material: string, key: never, signatureValue: string): boolean {
    return nativeVerify(
      'sha256',
      Buffer.from(material, 'utf8'),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signatureValue, 'base64'),
    );
  }
  getAlgorithmName(): string {
    return ECDSA_SHA256;
  }
}

export type XmlSignatureCheck = {
  valid: boolean;
  algorithm: XmlSignatureAlgorithm;
  /** The signing certificate from KeyInfo/X509Data (DER). */
  certificateDer: Uint8Array;
  subject: string;
  /** The signed DigestValue (base64): the same content signed again has the same one. */
  digest: string;
  /** Why it is invalid, when it is. */
  reason?: string;
};

function dsigChild(parent: Element, name: string): Element | undefined {
  return childElements(parent).find((e) => e.localName === name && e.namespaceURI === DSIG_NS);
}

function attr(e: Element | undefined, name: string): string | null {
  return e ? e.getAttribute(name) : null;
}

const SIG = 'edXML:edXMLHeader/Signature';

/**
 * Refuses signatures that do not cover the whole document: no wrapping attacks, no SHA-1. The
 * signing certificate is the first X509Certificate (CA certificates may follow it).
 */
function checkShape(sig: Element): {
  algorithm: XmlSignatureAlgorithm;
  certificate: string;
  digest: string;
} {
  const signedInfo = dsigChild(sig, 'SignedInfo');
  if (!signedInfo) throw new EdxmlError('EDXML_SIGNATURE_INVALID', 'no SignedInfo', SIG);
  const method = attr(dsigChild(signedInfo, 'SignatureMethod'), 'Algorithm');
  const algorithm = (Object.keys(METHOD_URI) as XmlSignatureAlgorithm[]).find(
    (a) => METHOD_URI[a] === method,
  );
  if (!algorithm) {
    throw new EdxmlError(
      'EDXML_UNSUPPORTED_ALGORITHM',
      `SignatureMethod ${method ?? '(none)'} is not accepted; use rsa-sha256 or ecdsa-sha256 (SHA-1 is below the national minimum)`,
      `${SIG}/SignedInfo/SignatureMethod`,
    );
  }
  const refs = childElements(signedInfo).filter(
    (e) => e.localName === 'Reference' && e.namespaceURI === DSIG_NS,
  );
  if (refs.length !== 1 || attr(refs[0], 'URI') !== '') {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      'exactly one Reference with URI="" (the whole package) is required',
      `${SIG}/SignedInfo/Reference`,
    );
  }
  const digest = attr(dsigChild(refs[0]!, 'DigestMethod'), 'Algorithm');
  if (digest !== SHA256_DIGEST) {
    throw new EdxmlError(
      'EDXML_UNSUPPORTED_ALGORITHM',
      `DigestMethod ${digest ?? '(none)'} is not accepted; use SHA-256`,
      `${SIG}/SignedInfo/Reference/DigestMethod`,
    );
  }
  const x509Data = dsigChild(dsigChild(sig, 'KeyInfo') ?? sig, 'X509Data');
  const certificate = x509Data ? dsigChild(x509Data, 'X509Certificate')?.textContent : undefined;
  if (!certificate?.trim()) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      'the signing certificate is missing',
      `${SIG}/KeyInfo/X509Data/X509Certificate`,
    );
  }

  const digestValue = dsigChild(refs[0]!, 'DigestValue')?.textContent?.replace(/\s+/g, '') ?? '';

  return { algorithm, certificate: certificate.replace(/\s+/g, ''), digest: digestValue };
}

function readCertificate(b64: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(b64, 'base64'));
  } catch (cause) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      'the certificate is not a readable X.509 certificate',
      `${SIG}/KeyInfo/X509Data/X509Certificate`,
      { cause },
    );
  }
}

/**
 * Verifies the enveloped XML-DSig of a package or status message. Missing signature →
 * EDXML_UNSIGNED; a malformed or unacceptable one → EDXML_SIGNATURE_INVALID /
 * EDXML_UNSUPPORTED_ALGORITHM; a well-formed signature that does not verify → `valid: false`.
 * Whether the certificate is trusted is the caller's decision (see `certificateDer`).
 */
export function verifyXmlSignature(xml: string, parsed?: Document): XmlSignatureCheck {
  const doc = parsed ?? parseXml(xml);
  const sigs = signatureElements(doc);
  if (sigs.length === 0) {
    const foreign = findAllDeep(doc.documentElement!, (e) => e.localName === 'Signature').length;
    throw new EdxmlError(
      'EDXML_UNSIGNED',
      foreign
        ? `the Signature element is not in the XML-DSig namespace ${DSIG_NS}`
        : 'the package carries no XML signature',
      SIG,
    );
  }
  if (sigs.length > 1) {
    throw new EdxmlError('EDXML_SIGNATURE_INVALID', 'more than one Signature element', SIG);
  }
  const sig = sigs[0]!;
  const { algorithm, certificate, digest } = checkShape(sig);
  const cert = readCertificate(certificate);
  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  verifier.SignatureAlgorithms[ECDSA_SHA256] = EcdsaSha256;
  let valid = false;
  let reason: string | undefined;
  try {
    verifier.loadSignature(sig as never);
    valid = verifier.checkSignature(xml);
  } catch (err) {
    reason = (err as Error).message;
  }
  const out = {
    valid,
    algorithm,
    certificateDer: new Uint8Array(cert.raw),
    subject: cert.subject.replaceAll('\n', ', '),
    digest,
  };

  return valid ? out : { ...out, reason: reason ?? 'the signature or the digest does not match' };
}
