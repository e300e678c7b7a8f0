import { fromEdxmlDate } from './dates.js';
import type { Reader } from './dom.js';
import { badValue } from './errors.js';
import type { EdxmlOrgan, EdxmlResponseFor, EdxmlStaffInfo } from './types.js';

const opt = <K extends string>(key: K, v: string | undefined) =>
  (v === undefined ? {} : { [key]: v }) as Partial<Record<K, string>>;

export function readOrgan(r: Reader): EdxmlOrgan {
  return {
    organId: r.needText('OrganId'),
    organName: r.needText('OrganName'),
    ...opt('organizationInCharge', r.text('OrganizationInCharge')),
    ...opt('organAdd', r.text('OrganAdd')),
    ...opt('email', r.text('Email')),
    ...opt('telephone', r.text('Telephone')),
    ...opt('fax', r.text('Fax')),
    ...opt('website', r.text('Website')),
  };
}

export function readResponseFor(r: Reader): EdxmlResponseFor {
  const date = r.text('PromulgationDate');

  return {
    organId: r.needText('OrganId'),
    code: r.text('Code') ?? '',
    promulgationDate: date ? fromEdxmlDate(date, r.at('PromulgationDate')) : '',
    documentId: r.needText('DocumentId'),
  };
}

export function readStaffInfo(r: Reader | undefined): EdxmlStaffInfo | undefined {
  if (!r) return undefined;

  return {
    ...opt('department', r.text('Department')),
    ...opt('staff', r.text('Staff')),
    ...opt('mobile', r.text('Mobile')),
    ...opt('email', r.text('Email')),
  };
}

export function readInt(r: Reader, name: string, min: number, max: number): number | undefined {
  const t = r.text(name);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badValue(r.at(name), `"${t}" is not an integer between ${min} and ${max}`);
  }

  return n;
}

export function readBool(r: Reader, name: string): boolean | undefined {
  const t = r.text(name)?.toLowerCase();
  if (t === undefined) return undefined;
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw badValue(r.at(name), `"${t}" is not true/false`);
}

export { opt };
