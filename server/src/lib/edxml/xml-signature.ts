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
import { childElements, findAllDeep, isEdxml, parseXml } from './dom.js';
import { ecdsaDerToRaw } from './ecdsa.js';
import { EdxmlError } from './errors.js';
import {
  DSIG_NS,
  ECDSA_SHA256,
  ENVELOPED,
  EXC_C14N,
  INCLUSIVE_C14N,
  RSA_SHA256,
  SHA256_DIGEST,
  SOAP_NS,
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
  /** The certificates after it in X509Data (issuing CAs), as candidates for building its chain. */
  chainDer: Uint8Array[];
  subject: string;
  /** The signed DigestValue (base64): the same content signed again has the same one. */
  digest: string;
  /** Why it is invalid, when it is. */
  reason?: string;
  /**
   * When valid: the content the signature covers, as the verifier canonicalized it (the whole
   * document without its Signature). Read the message from this text, never from the original
   * DOM, so nothing the signature does not cover can be read (XML signature wrapping).
   */
  signedXml?: string;
};

function dsigChild(parent: Element, name: string): Element | undefined {
  return childElements(parent).find((e) => e.localName === name && e.namespaceURI === DSIG_NS);
}

function attr(e: Element | undefined, name: string): string | null {
  return e ? e.getAttribute(name) : null;
}

const SIG = 'edXML:edXMLHeader/Signature';

/** Canonicalizations the hub accepts, for SignedInfo and as the Reference's last transform. */
const C14N_METHODS = [EXC_C14N, INCLUSIVE_C14N];

function invalid(reason: string, element = SIG): EdxmlError {
  return new EdxmlError('EDXML_SIGNATURE_INVALID', reason, element);
}

function checkCanonicalization(signedInfo: Element): void {
  const c14n = attr(dsigChild(signedInfo, 'CanonicalizationMethod'), 'Algorithm');
  if (!c14n || !C14N_METHODS.includes(c14n)) {
    throw invalid(
      `CanonicalizationMethod ${c14n ?? '(none)'} is not accepted; use exclusive or inclusive C14N`,
      `${SIG}/SignedInfo/CanonicalizationMethod`,
    );
  }
}

/**
 * The enveloped-signature transform, then at most one C14N: any other transform (XPath, XSLT,
 * base64, a second enveloped) could make the digest cover something else than what is read.
 */
function checkTransforms(ref: Element): void {
  const list = dsigChild(ref, 'Transforms');
  const algorithms = list
    ? childElements(list).map((t) =>
        t.localName === 'Transform' && t.namespaceURI === DSIG_NS ? attr(t, 'Algorithm') : null,
      )
    : [];
  const [first, ...rest] = algorithms;
  const ok =
    first === ENVELOPED &&
    rest.length <= 1 &&
    rest.every((a) => a !== null && C14N_METHODS.includes(a));
  if (!ok) {
    throw invalid(
      `the transforms (${algorithms.map((a) => a ?? '?').join(', ') || 'none'}) are not accepted: only enveloped-signature followed by exclusive or inclusive C14N`,
      `${SIG}/SignedInfo/Reference/Transforms`,
    );
  }
}

/**
 * The Signature sits where the profile puts it: in edXMLHeader, directly under edXMLEnvelope
 * (itself the root or the root's child), or in a SOAP Header. A Signature moved elsewhere (first
 * in the document, say) still verifies, since the enveloped transform removes it wherever it is,
 * and could carry unsigned content a reader finds before the signed one.
 */
function checkPlacement(sig: Element): void {
  const parent = sig.parentNode as Element | null;
  const envelope = parent?.parentNode as Element | null;
  const root = sig.ownerDocument?.documentElement;
  const inHeader =
    !!parent &&
    isEdxml(parent, 'edXMLHeader') &&
    !!envelope &&
    isEdxml(envelope, 'edXMLEnvelope') &&
    (envelope === root || envelope.parentNode === root);
  const inSoapHeader = !!parent && parent.localName === 'Header' && parent.namespaceURI === SOAP_NS;
  if (!inHeader && !inSoapHeader) {
    throw invalid('the Signature is not at its place (edXMLEnvelope/edXMLHeader/Signature)');
  }
}

/**
 * The profile's Signature holds SignedInfo, SignatureValue and KeyInfo only. An Object (or any
 * other child) is not covered by an enveloped signature over the document and is where wrapped
 * content hides.
 */
function checkChildren(sig: Element): void {
  const extra = childElements(sig).find(
    (e) =>
      e.namespaceURI !== DSIG_NS ||
      !['SignedInfo', 'SignatureValue', 'KeyInfo'].includes(e.localName ?? ''),
  );
  if (extra) {
    throw invalid(
      `the Signature carries ${extra.localName ?? '?'}: only SignedInfo, SignatureValue and KeyInfo are accepted (what else it holds is not signed)`,
    );
  }
}

/** An Id (Id, ID, id, wsu:Id) value used twice is the classic lever of signature wrapping. */
function duplicateId(root: Element): string | undefined {
  const seen = new Set<string>();
  let dup: string | undefined;
  findAllDeep(root, (e) => {
    for (let i = 0; i < e.attributes.length && !dup; i++) {
      const a = e.attributes.item(i)!;
      if (a.localName?.toLowerCase() !== 'id') continue;
      if (seen.has(a.value)) dup = a.value;
      seen.add(a.value);
    }

    return false;
  });

  return dup;
}

/**
 * Refuses signatures that do not cover the whole document: no wrapping attacks, no SHA-1. The
 * signing certificate is the first X509Certificate (CA certificates may follow it).
 */
function checkShape(sig: Element): {
  algorithm: XmlSignatureAlgorithm;
  certificate: string;
  chain: string[];
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
  checkCanonicalization(signedInfo);
  checkTransforms(refs[0]!);
  const digest = attr(dsigChild(refs[0]!, 'DigestMethod'), 'Algorithm');
  if (digest !== SHA256_DIGEST) {
    throw new EdxmlError(
      'EDXML_UNSUPPORTED_ALGORITHM',
      `DigestMethod ${digest ?? '(none)'} is not accepted; use SHA-256`,
      `${SIG}/SignedInfo/Reference/DigestMethod`,
    );
  }
  const x509Data = dsigChild(dsigChild(sig, 'KeyInfo') ?? sig, 'X509Data');
  const certs = x509Data
    ? childElements(x509Data)
        .filter((e) => e.localName === 'X509Certificate' && e.namespaceURI === DSIG_NS)
        .map((e) => (e.textContent ?? '').replace(/\s+/g, ''))
    : [];
  const certificate = certs[0];
  if (!certificate?.trim()) {
    throw new EdxmlError(
      'EDXML_SIGNATURE_INVALID',
      'the signing certificate is missing',
      `${SIG}/KeyInfo/X509Data/X509Certificate`,
    );
  }

  const digestValue = dsigChild(refs[0]!, 'DigestValue')?.textContent?.replace(/\s+/g, '') ?? '';

  return { algorithm, certificate, chain: certs.slice(1), digest: digestValue };
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
  if (sigs.length > 1) throw invalid('more than one Signature element');
  const sig = sigs[0]!;
  checkPlacement(sig);
  checkChildren(sig);
  const dup = duplicateId(doc.documentElement!);
  if (dup !== undefined) throw invalid(`the Id value "${dup}" appears more than once`);
  const { algorithm, certificate, chain, digest } = checkShape(sig);
  const cert = readCertificate(certificate);
  const verifier = new SignedXml({ publicCert: cert.toString(), getCertFromKeyInfo: () => null });
  verifier.SignatureAlgorithms[ECDSA_SHA256] = EcdsaSha256;
  let valid = false;
  let reason: string | undefined;
  let signed: string[] = [];
  try {
    verifier.loadSignature(sig as never);
    valid = verifier.checkSignature(xml);
    signed = verifier.getSignedReferences();
  } catch (err) {
    reason = (err as Error).message;
  }
  if (valid && signed.length !== 1) {
    valid = false;
    reason = 'the verifier did not return exactly the one signed reference';
  }
  const out = {
    valid,
    algorithm,
    certificateDer: new Uint8Array(cert.raw),
    chainDer: chain.map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
    subject: cert.subject.replaceAll('\n', ', '),
    digest,
  };

  return valid
    ? { ...out, signedXml: signed[0]! }
    : { ...out, reason: reason ?? 'the signature or the digest does not match' };
}
