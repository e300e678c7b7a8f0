import type { Document } from '@xmldom/xmldom';
import { fromEdxmlTimestamp } from './dates.js';
import { findAllEdxml, findDeep, parseXml, Reader } from './dom.js';
import { badValue, EdxmlError, missingElement } from './errors.js';
import { readOrgan, readResponseFor, readStaffInfo } from './read-common.js';
import { STATUS_CODES, type EdxmlStatus, type EdxmlStatusCode } from './types.js';

const ST = 'edXML:Status';

/** Reads a Status message (also inside a SOAP Envelope); codes "1".."16" are zero-padded. */
export function parseStatus(xml: string, parsed?: Document): EdxmlStatus {
  const doc = parsed ?? parseXml(xml);
  if (findAllEdxml(doc.documentElement!, 'Status').length > 1) {
    throw new EdxmlError('EDXML_BAD_VALUE', 'more than one Status element', ST);
  }
  const e = findDeep(doc.documentElement!, 'Status');
  if (!e) {
    if (findDeep(doc.documentElement!, 'MessageHeader')) {
      throw new EdxmlError('EDXML_BAD_INPUT', 'this is a document package, not a Status message');
    }
    throw missingElement(ST);
  }
  const r = new Reader(e, ST);
  const raw = r.needText('StatusCode');
  const code = raw.padStart(2, '0');
  if (!(STATUS_CODES as readonly string[]).includes(code)) {
    throw badValue(r.at('StatusCode'), `"${raw}" is not one of ${STATUS_CODES.join(', ')}`);
  }
  const staff = readStaffInfo(r.child('StaffInfo'));

  return {
    responseFor: readResponseFor(r.need('ResponseFor')),
    from: readOrgan(r.need('From')),
    statusCode: code as EdxmlStatusCode,
    description: r.text('Description') ?? '',
    timestamp: fromEdxmlTimestamp(r.needText('Timestamp'), r.at('Timestamp')),
    ...(staff ? { staffInfo: staff } : {}),
  };
}
