import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PkiError } from './errors.js';
import { OID } from './oids.js';

/**
 * A subject or issuer name. Text is NFC-normalised and written as UTF8String so Vietnamese
 * ("UBND tỉnh Thanh Hóa", "Nguyễn Văn An") survives every tool; country and serial number are
 * PrintableString as X.520 requires.
 */
export type DistinguishedName = {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** 2.5.4.97, e.g. the national agency code `000.00.00.H56` or a tax code. */
  organizationIdentifier?: string;
  /** 2.5.4.12, the signer's position, e.g. "Chủ tịch". */
  title?: string;
  serialNumber?: string;
  locality?: string;
  province?: string;
  country?: string;
  email?: string;
};

type Field = { key: keyof DistinguishedName; oid: string; kind: 'utf8' | 'printable' | 'ia5' };

// Order is the conventional big-to-small order (C first, CN last), as printed by openssl.
const FIELDS: readonly Field[] = [
  { key: 'country', oid: OID.countryName, kind: 'printable' },
  { key: 'province', oid: OID.stateOrProvinceName, kind: 'utf8' },
  { key: 'locality', oid: OID.localityName, kind: 'utf8' },
  { key: 'organization', oid: OID.organizationName, kind: 'utf8' },
  { key: 'organizationalUnit', oid: OID.organizationalUnitName, kind: 'utf8' },
  { key: 'organizationIdentifier', oid: OID.organizationIdentifier, kind: 'utf8' },
  { key: 'title', oid: OID.title, kind: 'utf8' },
  { key: 'serialNumber', oid: OID.serialNumber, kind: 'printable' },
  { key: 'email', oid: OID.emailAddress, kind: 'ia5' },
  { key: 'commonName', oid: OID.commonName, kind: 'utf8' },
];

function encodeValue(
  field: Field,
  raw: string,
): asn1js.Utf8String | asn1js.PrintableString | asn1js.IA5String {
  const value = raw.normalize('NFC').trim();
  if (value === '') {
    throw new PkiError(
      'PKI_BAD_NAME',
      `Name field "${field.key}" is empty; omit it or give a value.`,
    );
  }
  if (field.kind === 'printable') {
    if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) {
      throw new PkiError(
        'PKI_BAD_NAME',
        `Name field "${field.key}" must be PrintableString (ASCII letters, digits, punctuation).`,
      );
    }
    if (field.key === 'country' && !/^[A-Z]{2}$/.test(value)) {
      throw new PkiError(
        'PKI_BAD_NAME',
        `country must be a two-letter ISO 3166 code such as "VN", got "${value}".`,
      );
    }

    return new asn1js.PrintableString({ value });
  }
  if (field.kind === 'ia5') return new asn1js.IA5String({ value });

  return new asn1js.Utf8String({ value });
}

/** Build the X.501 Name, one attribute per RDN (pkijs alone would put all in one SET). */
export function buildName(name: DistinguishedName): pkijs.RelativeDistinguishedNames {
  const rdns: asn1js.Set[] = [];
  for (const field of FIELDS) {
    const raw = name[field.key];
    if (raw === undefined) continue;
    const atv = new pkijs.AttributeTypeAndValue({
      type: field.oid,
      value: encodeValue(field, raw),
    });
    rdns.push(new asn1js.Set({ value: [atv.toSchema()] }));
  }
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);

  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

/** Read a Name back into the DistinguishedName fields this library knows (others are skipped). */
export function readName(name: pkijs.RelativeDistinguishedNames): DistinguishedName {
  const out: Partial<DistinguishedName> = {};
  for (const tv of name.typesAndValues) {
    const field = FIELDS.find((f) => f.oid === tv.type);
    const value = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
    if (field && typeof value === 'string') out[field.key] = value;
  }

  return { commonName: '', ...out };
}
