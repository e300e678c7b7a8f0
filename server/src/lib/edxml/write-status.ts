import { toEdxmlTimestamp } from './dates.js';
import { EdxmlError } from './errors.js';
import { EDXML_NS } from './namespaces.js';
import { STATUS_CODES, type EdxmlStatus } from './types.js';
import { organ, responseFor, staffInfo } from './write-package.js';
import { SIGNATURE_SLOT, signEnveloped, type XmlSigner } from './xml-signature.js';
import { el, group } from './xml-text.js';

/** The unsigned text of a Status message, with SIGNATURE_SLOT in edXMLHeader. */
export function statusXml(s: EdxmlStatus): string {
  if (!(STATUS_CODES as readonly string[]).includes(s.statusCode)) {
    throw new EdxmlError('EDXML_BAD_INPUT', `status code ${s.statusCode} is not an edXML code`);
  }
  const status = group(
    'Status',
    [
      responseFor(s.responseFor),
      organ('From', s.from),
      el('StatusCode', s.statusCode),
      el('Description', s.description),
      el('Timestamp', toEdxmlTimestamp(s.timestamp)),
      staffInfo(s.staffInfo),
    ],
    true,
  );

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<edXML:edXMLEnvelope xmlns:edXML="${EDXML_NS}">\n` +
    `<edXML:edXMLHeader>\n${status}\n${SIGNATURE_SLOT}\n</edXML:edXMLHeader>\n` +
    `<edXML:edXMLBody/>\n</edXML:edXMLEnvelope>\n`
  );
}

/** A Status message (processing feedback 01–06, 13, 15, 16), signed when a signer is given. */
export async function writeStatus(s: EdxmlStatus, signer?: XmlSigner): Promise<string> {
  const xml = statusXml(s);

  return signer ? signEnveloped(xml, signer) : xml.replace(`${SIGNATURE_SLOT}\n`, '');
}
