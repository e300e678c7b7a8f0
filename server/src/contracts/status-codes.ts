/**
 * edXML Status codes (QCVN 102:2016 StatusCode, DOMAIN.md §1.6), by what they mean: the values
 * on the wire and in the database. Declared here, importing nothing, so that the web client (whose
 * dev server reads only client/ and contracts/) and the edXML library (lib/edxml) share them.
 */
export const STATUS = {
  ARRIVED: '01',
  REJECTED: '02',
  ACCEPTED: '03',
  ASSIGNED: '04',
  PROCESSING: '05',
  COMPLETED: '06',
  RECALLED: '13',
  CHANGE_AGREED: '15',
  CHANGE_REFUSED: '16',
} as const;

export const STATUS_CODES = [
  STATUS.ARRIVED,
  STATUS.REJECTED,
  STATUS.ACCEPTED,
  STATUS.ASSIGNED,
  STATUS.PROCESSING,
  STATUS.COMPLETED,
  STATUS.RECALLED,
  STATUS.CHANGE_AGREED,
  STATUS.CHANGE_REFUSED,
] as const;
export type EdxmlStatusCode = (typeof STATUS_CODES)[number];
