import type { TRole } from '../../contracts/common.js';
import type { TStatusCode } from '../../contracts/exchange.js';

/**
 * The delivery lifecycle (edXML status codes): which processing status a recipient may move to,
 * from which, and who may do it. 13/15/16 are not processing states: they live in `change`.
 */
export const TRANSITIONS: Record<
  '02' | '03' | '04' | '05' | '06',
  { from: TStatusCode[]; roles: TRole[] }
> = {
  '02': { from: ['01'], roles: ['clerk', 'org_admin', 'enterprise_user'] },
  '03': { from: ['01'], roles: ['clerk', 'org_admin', 'enterprise_user'] },
  '04': { from: ['03'], roles: ['signer', 'org_admin', 'clerk'] },
  '05': { from: ['03', '04'], roles: ['signer', 'org_admin', 'clerk', 'enterprise_user'] },
  '06': { from: ['05'], roles: ['signer', 'org_admin', 'clerk', 'enterprise_user'] },
};

/** Roles that answer a recall or update (15 agree / 16 refuse) for the recipient organization. */
export const CHANGE_ANSWER_ROLES: TRole[] = ['clerk', 'org_admin', 'enterprise_user'];

/** Roles that send, recall and update on behalf of the sender organization. */
export const SENDER_ROLES: TRole[] = ['clerk', 'org_admin'];

/** A delivery in one of these is closed: it is never overdue. */
export const CLOSED: TStatusCode[] = ['02', '06'];
