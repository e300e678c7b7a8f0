import { createHash } from 'node:crypto';
import { canonicalJson } from '../../db/canonical-json.js';
import type { AuditDoc } from './audit.model.js';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainFields = Omit<AuditDoc, '_id' | 'hash'>;

/** The hash covers every field of the entry, the previous entry's hash included. */
export function entryHash(e: ChainFields): string {
  const { seq, at, actor, action, orgIds, target, details, prevHash } = e;

  return createHash('sha256')
    .update(canonicalJson({ seq, at, actor, action, orgIds, target, details, prevHash }))
    .digest('hex');
}

export type ChainCheck =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

/** Walks entries in seq order and names the first link that does not hold. */
export function checkChain(
  entries: Iterable<AuditDoc>,
  start = { seq: 0, hash: GENESIS_HASH },
): ChainCheck {
  let prev = start;
  let count = 0;
  for (const e of entries) {
    if (e.seq !== prev.seq + 1)
      return { ok: false, count, brokenAt: e.seq, reason: `sequence gap after ${prev.seq}` };
    if (e.prevHash !== prev.hash)
      return { ok: false, count, brokenAt: e.seq, reason: 'prevHash does not match' };
    if (entryHash(e) !== e.hash)
      return { ok: false, count, brokenAt: e.seq, reason: 'entry content altered' };
    prev = { seq: e.seq, hash: e.hash };
    count++;
  }

  return { ok: true, count, lastHash: prev.hash };
}
