import type { Document } from 'mongodb';
import { Types } from 'mongoose';
import { STATUS } from '../../contracts/exchange.js';
import type { TStatsItemsQuery, TStatsMetric } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { collectionNames, collectionOf } from './aggregate.js';
import { type Range, type Scope } from '../scope/index.js';
import {
  factStagesInRowOrder,
  factStagesOfRows,
  METRICS,
  type FactInput,
  type FactSet,
} from './facts.js';
import { flushCounters } from './counter-queue.js';
import { ITEM_EXCEPTIONS, idWindow } from './item-bounds.js';
import { OUTGOING_MARKS } from './outgoing-counters.js';
import { RECIPIENT_ID_INDEX } from '../exchange/index.js';

/**
 * One page of a fact set's rows whose metric flag is true, in id order: the rows of the id window
 * (item-bounds.ts) read in id order until the page is full, plus the recorded exceptions, merged.
 * Deliveries run the figure's own fact pipeline; outgoing documents are read from their markers,
 * which hold the fact row each was counted with (one indexed read instead of two lookups per
 * document). Counting every page gives back the figure.
 */
type Query = Pick<TStatsItemsQuery, 'type' | 'urgency' | 'cursor' | 'limit' | 'asOf'> & {
  metric: TStatsMetric;
};

/**
 * The engine merges one index range per organization in id order for at most 200 of them
 * (internalQueryMaxScansToExplode); a larger subtree — the province — is most of every window,
 * so reading the window in plain id order wastes little.
 */
const MERGE_LIMIT = 200;

/**
 * Rare flags would make a page read most of a large window: they read partial indexes holding
 * only candidate rows (stats-indexes.ts). Rejections (~2 %) are still too many for a subtree of
 * more than 200 organizations, whose rows cannot be merged in id order but would be sorted: it
 * keeps the plain id-ordered window.
 */
const NARROW: Partial<
  Record<TStatsMetric, { match: Record<string, unknown>; index: string; anySize: boolean }>
> = {
  recalled: { match: { 'change.kind': 'recall' }, index: 'stats_sender_recalled', anySize: true },
  rejected: {
    match: { 'history.code': STATUS.REJECTED },
    index: 'stats_recipient_rejected',
    anySize: false,
  },
};

function hintFor(set: FactSet, orgs: number): string {
  const merge = orgs <= MERGE_LIMIT;
  if (set === 'outgoing') return merge ? 'stats_org_document' : 'stats_document_created';
  if (!merge) return '_id_';

  return set === 'sent' ? 'stats_sender_id' : RECIPIENT_ID_INDEX;
}

async function exceptionRows(
  ctx: HubContext,
  set: FactSet,
  scope: Scope,
  range: Range,
  after: Types.ObjectId | null,
): Promise<Types.ObjectId[]> {
  const rows = await ctx.db.conn
    .collection(ITEM_EXCEPTIONS)
    .find(
      {
        set,
        org: { $in: scope.orgIds },
        at: { $gte: range.start, $lt: range.end },
        ...(after ? { row: { $gt: after } } : {}),
      },
      { projection: { row: 1 } },
    )
    .toArray();

  return rows.map((r) => r.row as Types.ObjectId);
}

const sortedPage = (rows: { _id: Types.ObjectId }[][], limit: number): string[] =>
  [...new Set(rows.flat().map((r) => String(r._id)))].sort().slice(0, limit);

type Page = {
  metric: TStatsMetric;
  scope: Scope;
  range: Range;
  filter: Record<string, unknown>;
  after: Types.ObjectId | null;
  limit: number;
};

/** Outgoing documents from their markers; null while markers of an older format remain. */
async function outgoingFromMarks(ctx: HubContext, p: Page): Promise<string[] | null> {
  const marks = ctx.db.conn.collection(OUTGOING_MARKS);
  // markers written before they held their facts (until a rebuild): read the dispatches instead
  if (await marks.findOne({ org: { $exists: false } }, { projection: { _id: 1 } })) return null;
  const win = idWindow('outgoing', p.range.start, p.range.end);
  const base = {
    org: { $in: p.scope.orgIds },
    at: { $gte: p.range.start, $lt: p.range.end },
    ...p.filter,
  };
  const read = (ids: Record<string, unknown>, hint?: string) =>
    marks
      .find({ ...base, _id: ids }, { projection: { _id: 1 }, ...(hint ? { hint } : {}) })
      .sort({ _id: 1 })
      .limit(p.limit)
      .toArray() as Promise<{ _id: Types.ObjectId }[]>;
  const [regular, exceptions] = await Promise.all([
    read(
      { $gte: win.from, $lt: win.to, ...(p.after ? { $gt: p.after } : {}) },
      p.scope.orgIds.length <= MERGE_LIMIT ? 'stats_outgoing_org_id' : '_id_',
    ),
    exceptionRows(ctx, 'outgoing', p.scope, p.range, p.after).then((ids) =>
      ids.length ? read({ $in: ids }) : [],
    ),
  ]);

  return sortedPage([regular, exceptions], p.limit);
}

/** A fact set's rows from its own pipeline: the id window in id order, plus the exceptions. */
async function fromPipeline(ctx: HubContext, set: FactSet, input: FactInput, p: Page) {
  const win = idWindow(set, p.range.start, p.range.end);
  const coll = collectionOf(ctx, set);
  const rare = NARROW[p.metric];
  const narrow = rare && (rare.anySize || p.scope.orgIds.length <= MERGE_LIMIT) ? rare : undefined;
  const page: Document[] = [{ $match: p.filter }, { $limit: p.limit }, { $project: { _id: 1 } }];
  const [regular, exceptions] = await Promise.all([
    coll
      .aggregate<{ _id: Types.ObjectId }>(
        [
          ...factStagesInRowOrder(
            set,
            input,
            { $gte: win.from, $lt: win.to, ...(p.after ? { $gt: p.after } : {}) },
            narrow?.match,
          ),
          ...page,
        ],
        { hint: narrow?.index ?? hintFor(set, p.scope.orgIds.length), allowDiskUse: true },
      )
      .toArray(),
    exceptionRows(ctx, set, p.scope, p.range, p.after).then((ids) =>
      ids.length === 0
        ? []
        : coll
            .aggregate<{ _id: Types.ObjectId }>(
              [
                ...factStagesOfRows(set, input, { $in: ids }, narrow?.match),
                { $match: p.filter },
                { $sort: { _id: 1 } },
                { $limit: p.limit },
                { $project: { _id: 1 } },
              ],
              { allowDiskUse: true },
            )
            .toArray(),
    ),
  ]);

  return sortedPage([regular, exceptions], p.limit);
}

export async function factItems(
  ctx: HubContext,
  scope: Scope,
  range: Range,
  q: Query,
  now: Date,
): Promise<string[]> {
  await flushCounters(ctx); // exceptions and markers of this node's queued transitions
  const { set, flag } = METRICS[q.metric];
  const filter: Record<string, unknown> = {};
  if (flag) filter[flag] = true;
  if (q.type) filter.type = q.type;
  if (q.urgency) filter.urgency = q.urgency;
  const page: Page = {
    metric: q.metric,
    scope,
    range,
    filter,
    after: q.cursor ? new Types.ObjectId(q.cursor) : null,
    limit: q.limit,
  };
  if (set === 'outgoing') {
    const fromMarks = await outgoingFromMarks(ctx, page);
    if (fromMarks) return fromMarks;
  }

  return fromPipeline(
    ctx,
    set,
    {
      orgIds: scope.orgIds,
      start: range.start,
      end: range.end,
      asOf: q.asOf ? new Date(q.asOf) : now,
      collections: collectionNames(ctx),
    },
    page,
  );
}
