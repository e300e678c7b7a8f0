/**
 * RFC 3161 time-stamp tokens: the signature time-stamp (imprint = hash of the SignerInfo
 * signature value) and document time-stamps (imprint = hash of their ByteRange).
 */
import { digestName, hashChunks } from '../pki/algorithms.js';
import { Cert } from '../pki/x509.js';
import { buildChain, type TrustStore } from './chain.js';
import { OID } from '../asn1/oids.js';
import { checkSigner, findSignerCert, parseCms, type ParsedCms } from './cms.js';
import { algId, readDer, sameBytes } from '../asn1/index.js';

export interface TimestampCheck {
  valid: boolean;
  /** Why it is not valid (English, for the report detail). */
  problem: string | null;
  /** True when the only problem is the imprint. */
  imprintMismatch: boolean;
  untrusted: boolean;
  genTime: Date | null;
  tsa: Cert | null;
  chain: Cert[];
  /** Trust list of the TSA chain's anchor (chain.ts), null when untrusted. */
  trustList: string | null;
  parsed: ParsedCms | null;
}

function invalid(problem: string, extra: Partial<TimestampCheck> = {}): TimestampCheck {
  return {
    valid: false,
    problem,
    imprintMismatch: false,
    untrusted: false,
    genTime: null,
    tsa: null,
    chain: [],
    trustList: null,
    parsed: null,
    ...extra,
  };
}

interface TstInfo {
  imprintAlgorithm: string;
  imprint: Uint8Array;
  genTime: Date;
}

/** TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, … } */
function readTstInfo(der: Uint8Array): TstInfo {
  const info = readDer(der).expect(0x30, 'TSTInfo');
  const imprint = info.at(2).expect(0x30, 'messageImprint');
  return {
    imprintAlgorithm: algId(imprint.at(0)).oid,
    imprint: imprint.at(1).expect(0x04, 'hashedMessage').octets(),
    genTime: info.at(4).expect(0x18, 'genTime').time(),
  };
}

export function verifyTimestamp(
  token: Uint8Array,
  imprintData: Uint8Array[],
  store: TrustStore,
  pool: Cert[],
): TimestampCheck {
  let parsed: ParsedCms;
  let tstInfo: TstInfo;
  let eContent: Uint8Array;
  try {
    parsed = parseCms(token);
    if (parsed.eContentType !== OID.tstInfo || !parsed.eContent)
      return invalid('the token does not contain a TSTInfo');
    eContent = parsed.eContent;
    tstInfo = readTstInfo(eContent);
  } catch (e) {
    return invalid(`unreadable token: ${(e as Error).message}`);
  }
  const genTime = tstInfo.genTime;
  const tsa = findSignerCert(parsed, pool);
  if (!tsa) return invalid('the TSA certificate is missing', { genTime, parsed });
  try {
    const check = checkSigner(parsed, [eContent], tsa);
    if (check.digestOk !== true || !check.signatureOk)
      return invalid('the token signature does not verify', { genTime, tsa, parsed });
    const alg = digestName(tstInfo.imprintAlgorithm);
    if (!sameBytes(tstInfo.imprint, hashChunks(alg, imprintData)))
      return invalid('the imprint does not match', { genTime, tsa, parsed, imprintMismatch: true });
  } catch (e) {
    return invalid(`unsupported token: ${(e as Error).message}`, { genTime, tsa, parsed });
  }
  if (!tsa.extendedKeyUsage.includes(OID.ekuTimeStamping))
    return invalid('the TSA certificate lacks the timeStamping EKU', { genTime, tsa, parsed });
  const { chain, trusted, trustList } = buildChain(tsa, [...parsed.certificates, ...pool], store);
  if (!trusted)
    return invalid('the TSA certificate does not chain to a trusted root', {
      genTime,
      tsa,
      parsed,
      chain,
      untrusted: true,
    });
  if (genTime < tsa.notBefore || genTime > tsa.notAfter)
    return invalid('genTime is outside the TSA certificate validity', {
      genTime,
      tsa,
      parsed,
      chain,
    });
  return {
    valid: true,
    problem: null,
    imprintMismatch: false,
    untrusted: false,
    genTime,
    tsa,
    chain,
    trustList,
    parsed,
  };
}
