import * as pkijs from 'pkijs';
import { PkiError, badDer } from './errors.js';
import { decodeDer } from '../asn1/index.js';
import { nativePublicKey, signatureAlgorithmFrom, verifySignature } from './key-signer.js';
import { assertStrongKey } from './key-strength.js';
import { readName, type DistinguishedName } from './names.js';
import { issueCertificate, type IssueRequest, type IssuedCertificate } from './certificate.js';

export type ParsedCsr = {
  subject: DistinguishedName;
  publicKeyInfo: pkijs.PublicKeyInfo;
  request: pkijs.CertificationRequest;
};

function csrPublicKey(request: pkijs.CertificationRequest) {
  try {
    return nativePublicKey(request.subjectPublicKeyInfo);
  } catch (error) {
    throw new PkiError('PKI_BAD_CSR', 'The CSR public key cannot be read.', { cause: error });
  }
}

/** Parse a PKCS#10 request and check its self-signature (proof the requester holds the key). */
export function parseCsr(der: Uint8Array): ParsedCsr {
  let request: pkijs.CertificationRequest;
  try {
    request = new pkijs.CertificationRequest({
      schema: decodeDer(der, 'certificate request', badDer),
    });
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('PKI_BAD_CSR', 'The bytes are not a PKCS#10 certification request.', {
      cause: error,
    });
  }
  const algorithm = signatureAlgorithmFrom(request.signatureAlgorithm);
  const publicKey = csrPublicKey(request);
  // before the signature check: a weak key is refused whatever it signed, and a huge one is
  // refused before the hub spends a verification on it
  assertStrongKey(publicKey, 'CSR');
  const signature = request.signatureValue.valueBlock.valueHexView;
  if (!verifySignature(publicKey, algorithm, request.tbsView, signature)) {
    throw new PkiError(
      'PKI_CSR_BAD_SIGNATURE',
      'The CSR signature does not verify with its own public key; regenerate the CSR with the matching private key.',
    );
  }

  return {
    subject: readName(request.subject),
    publicKeyInfo: request.subjectPublicKeyInfo,
    request,
  };
}

export type IssueFromCsrRequest = Omit<IssueRequest, 'publicKey' | 'subject'> & {
  csr: Uint8Array;
  /** The subject the hub vouches for; defaults to the CSR's own subject. */
  subject?: DistinguishedName;
};

/** Issue a certificate for the key in a verified CSR; the private key never reaches the hub. */
export async function issueFromCsr(request: IssueFromCsrRequest): Promise<IssuedCertificate> {
  const parsed = parseCsr(request.csr);
  const subject = request.subject ?? parsed.subject;
  if (!subject.commonName) {
    throw new PkiError('PKI_BAD_NAME', 'The CSR has no commonName; pass `subject` explicitly.');
  }
  const { csr: _csr, ...rest } = request;

  return issueCertificate({ ...rest, subject, publicKey: parsed.publicKeyInfo });
}
