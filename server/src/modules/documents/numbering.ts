import type { TIssueNumber } from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { DocumentCounters, Documents, NUMBER_INDEX, type DocumentDoc } from './document.model.js';
import { advance } from './workflow.js';

/** An automatic number skips at most this many numbers taken by hand meanwhile. */
const MAX_SKIPS = 50;

/**
 * The next number of a register and year: one `$inc` on one counter document, atomic in the
 * engine, so two releases at the same moment never get the same number.
 */
export async function nextNumber(
  ctx: HubContext,
  orgId: string,
  register: string,
  year: number,
): Promise<number> {
  const counter = await DocumentCounters(ctx.db.conn)
    .findOneAndUpdate(
      { _id: `${orgId}:${year}:${register}` },
      { $inc: { seq: 1 } },
      { upsert: true, new: true },
    )
    .lean();

  return counter!.seq;
}

/** Decree 30, Phụ lục I: numbers below 10 get a leading zero ("01/UBND-VP"). */
export function formatNumber(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "01/UBND-VP"; a draft not yet numbered shows "…/UBND-VP". */
export function numberedLabel(number: number | undefined, notation: string): string {
  return `${number === undefined ? '…' : formatNumber(number)}/${notation}`;
}

/** Today in Vietnam (UTC+7), as YYYY-MM-DD: the issue date of a release. */
export function todayInVietnam(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

function isDuplicateNumber(err: unknown): boolean {
  const e = err as { code?: number; message?: string };

  return e.code === 11000 && (e.message ?? '').includes(NUMBER_INDEX);
}

function numberTaken(register: string, year: number, n: number): AppError {
  return new AppError(
    'CONFLICT',
    `Số ${formatNumber(n)} đã được dùng trong sổ "${register}" năm ${year}; hãy để trống để hệ thống cấp số tiếp theo, hoặc chọn số khác.`,
  );
}

/**
 * Cấp số: the number goes on at release, per register per year. An automatic number comes from
 * the counter; a number given by hand (a document numbered elsewhere) must be free, which the
 * unique index decides, not a read before the write.
 */
export async function issueNumber(
  ctx: HubContext,
  principal: Principal,
  doc: DocumentDoc,
  input: TIssueNumber,
): Promise<DocumentDoc> {
  const issueDate = input.issueDate ?? todayInVietnam();
  const year = Number(issueDate.slice(0, 4));
  const { register, notation, subject } = doc.meta;
  for (let attempt = 0; attempt < MAX_SKIPS; attempt++) {
    const n = input.number ?? (await nextNumber(ctx, principal.orgId, register, year));
    const label = numberedLabel(n, notation);
    try {
      return await advance(ctx, principal, doc, 'numbered', {
        set: {
          'meta.number': n,
          'meta.issueDate': issueDate,
          year,
          codeLabel: label,
          folded: foldVietnamese(`${subject} ${label}`),
        },
        details: {
          number: n,
          register,
          year,
          codeLabel: label,
          manual: input.number !== undefined,
        },
      });
    } catch (err) {
      if (!isDuplicateNumber(err)) throw err;
      if (input.number !== undefined) throw numberTaken(register, year, n);
    }
  }
  throw new AppError('CONFLICT', 'Không cấp được số văn bản; hãy thử lại.');
}

/**
 * The first build's number index had no filter: it would make two unnumbered drafts of one
 * register and year collide. Dropped once; Documents.init() builds the filtered one.
 */
export async function dropUnfilteredNumberIndex(ctx: HubContext): Promise<void> {
  const coll = Documents(ctx.db.conn).collection;
  const indexes = await coll.indexes().catch(() => []);
  if (indexes.some((i) => i.name === 'number_per_register_year')) {
    await coll.dropIndex('number_per_register_year');
  }
}
