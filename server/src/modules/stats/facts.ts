import type { Types } from 'mongoose';
import { STATUS } from '../../contracts/exchange.js';
import type { TStatsMetric, TStatsPeriod } from '../../contracts/stats.js';
import { VN_TIMEZONE } from '../scope/index.js';

/**
 * Every figure is a count (or a percentile) over one of four fact sets. A fact pipeline turns the
 * raw collection into one row per delivery or document with its bucket date `at` and boolean
 * flags; the summary groups the rows and the drill-down lists the rows whose flag is true, so a
 * figure and its drill-down can never disagree.
 */
export type FactSet = 'outgoing' | 'sent' | 'received' | 'due';

export type FactInput = {
  orgIds: Types.ObjectId[];
  start: Date;
  end: Date;
  /** The instant "overdue" is decided at. */
  asOf: Date;
  /** Collection names, from the owning modules' models. */
  collections: { dispatches: string; documents: string };
};

type Stage = Record<string, unknown>;

/**
 * The metrics counted over each fact set, each by the flag of a fact row that makes it part of
 * the metric (`null`: every row of the set).
 */
const SET_METRICS = {
  outgoing: { outgoingDocuments: null, sealSigned: 'seal', personalSigned: 'personal' },
  sent: { deliveriesSent: null, recalled: 'recalled' },
  received: {
    deliveriesReceived: null,
    handled: 'handled',
    acknowledgedSameDay: 'sameDay',
    accepted: 'accepted',
    completed: 'completed',
    rejected: 'rejected',
  },
  due: {
    due: null,
    onTime: 'onTime',
    completedLate: 'completedLate',
    openOverdue: 'openOverdue',
    openNotDue: 'openNotDue',
    overdue: 'overdue',
  },
} as const satisfies Record<FactSet, Partial<Record<TStatsMetric, string | null>>>;

type SetMetric = { [S in FactSet]: keyof (typeof SET_METRICS)[S] }[FactSet];
const FACT_SETS = Object.keys(SET_METRICS) as FactSet[];
const perSet = <T>(f: (set: FactSet) => T) =>
  Object.fromEntries(FACT_SETS.map((set) => [set, f(set)])) as Record<FactSet, T>;

/** Set and flag of each metric (typed so that a metric no set counts does not compile). */
export const METRICS: Record<TStatsMetric, { set: FactSet; flag: string | null }> =
  Object.fromEntries(
    FACT_SETS.flatMap((set) =>
      Object.entries(SET_METRICS[set]).map(([metric, flag]) => [metric, { set, flag }]),
    ),
  ) as Record<SetMetric, { set: FactSet; flag: string | null }>;

/** The flags a set's rows carry, in the order of its metrics. */
export const SET_FLAGS: Record<FactSet, string[]> = perSet((set) =>
  Object.values<string | null>(SET_METRICS[set]).filter((f): f is string => f !== null),
);

export const SET_KIND: Record<FactSet, 'document' | 'delivery'> = {
  outgoing: 'document',
  sent: 'delivery',
  received: 'delivery',
  due: 'delivery',
};

/** Which collection a fact set is read from: dispatches for documents, deliveries otherwise. */
export const SET_SOURCE: Record<FactSet, 'dispatches' | 'deliveries'> = perSet((set) =>
  SET_KIND[set] === 'document' ? 'dispatches' : 'deliveries',
);

/** Earliest history entry with this code, or null. */
function firstAt(code: string): unknown {
  return {
    $min: {
      $map: {
        input: { $filter: { input: '$history', cond: { $eq: ['$$this.code', code] } } },
        in: '$$this.at',
      },
    },
  };
}

const notNull = (f: string) => ({ $ne: [f, null] });

function vnDay(f: string): unknown {
  return { $dateTrunc: { date: f, unit: 'day', timezone: VN_TIMEZONE } };
}

/** The side's deliveries made in the range, as facts: when, how urgent, which document, `more`. */
function deliveryFacts(
  i: FactInput,
  side: 'senderOrgId' | 'recipientOrgId',
  more: Record<string, unknown>,
): Stage[] {
  return [
    { $match: { [side]: { $in: i.orgIds }, createdAt: { $gte: i.start, $lt: i.end } } },
    { $project: { at: '$createdAt', urgency: 1, documentId: 1, ...more } },
  ];
}

function sentFacts(i: FactInput): Stage[] {
  return deliveryFacts(i, 'senderOrgId', { recalled: { $eq: ['$change.kind', 'recall'] } });
}

function receivedFacts(i: FactInput): Stage[] {
  return [
    ...deliveryFacts(i, 'recipientOrgId', {
      handled: { $ne: ['$withdrawn', true] },
      arrivedAt: { $ifNull: [firstAt(STATUS.ARRIVED), '$createdAt'] },
      acceptedAt: firstAt(STATUS.ACCEPTED),
      completedAt: firstAt(STATUS.COMPLETED),
      anyRejection: { $in: [STATUS.REJECTED, { $ifNull: ['$history.code', []] }] },
    }),
    {
      $project: {
        at: 1,
        urgency: 1,
        documentId: 1,
        handled: 1,
        sameDay: {
          $and: [
            '$handled',
            notNull('$acceptedAt'),
            { $eq: [vnDay('$acceptedAt'), vnDay('$arrivedAt')] },
          ],
        },
        accepted: { $and: ['$handled', notNull('$acceptedAt')] },
        completed: { $and: ['$handled', notNull('$completedAt')] },
        rejected: { $and: ['$handled', '$anyRejection'] },
        toArrived: { $cond: ['$handled', { $subtract: ['$arrivedAt', '$at'] }, null] },
        toAccepted: {
          $cond: [
            { $and: ['$handled', notNull('$acceptedAt')] },
            { $subtract: ['$acceptedAt', '$arrivedAt'] },
            null,
          ],
        },
        toCompleted: {
          $cond: [
            { $and: ['$handled', notNull('$completedAt')] },
            { $subtract: ['$completedAt', '$arrivedAt'] },
            null,
          ],
        },
      },
    },
  ];
}

function dueFacts(i: FactInput): Stage[] {
  const done = notNull('$completedAt');

  return [
    {
      $match: {
        recipientOrgId: { $in: i.orgIds },
        dueDate: { $gte: i.start, $lt: i.end },
        withdrawn: { $ne: true },
        status: { $ne: STATUS.REJECTED },
      },
    },
    {
      $project: {
        at: '$dueDate',
        urgency: 1,
        documentId: 1,
        completedAt: firstAt(STATUS.COMPLETED),
      },
    },
    {
      $project: {
        at: 1,
        urgency: 1,
        documentId: 1,
        onTime: { $and: [done, { $lte: ['$completedAt', '$at'] }] },
        completedLate: { $and: [done, { $gt: ['$completedAt', '$at'] }] },
        openOverdue: { $and: [{ $not: [done] }, { $lt: ['$at', i.asOf] }] },
        openNotDue: { $and: [{ $not: [done] }, { $gte: ['$at', i.asOf] }] },
        overdue: {
          $or: [
            { $and: [done, { $gt: ['$completedAt', '$at'] }] },
            { $and: [{ $not: [done] }, { $lt: ['$at', i.asOf] }] },
          ],
        },
      },
    },
  ];
}

/**
 * Signatures carried by the dispatched version: a 'signature' version adds one signature to the
 * file before it; an upload or replacement starts a new file with only its own.
 */
function signaturesOfDispatchedVersion(): unknown {
  const carries = (kind: string) => ({
    $or: [
      { $and: [{ $eq: ['$$this.reason', 'signature'] }, `$$value.${kind}`] },
      { $eq: ['$$this.signature.kind', kind] },
    ],
  });

  return {
    $reduce: {
      input: '$doc.versions',
      initialValue: { done: false, seal: false, personal: false },
      in: {
        $cond: [
          '$$value.done',
          '$$value',
          {
            done: { $eq: ['$$this._id', '$first.versionId'] },
            seal: carries('seal'),
            personal: carries('personal'),
          },
        ],
      },
    },
  };
}

/** Outgoing documents: counted once, in the period of their first dispatch. */
function outgoingFacts(i: FactInput): Stage[] {
  return [...firstDispatchesIn(i), ...outgoingRows(i)];
}

/** Documents whose first dispatch falls in the range: `{_id: documentId, first: {at, versionId}}`. */
function firstDispatchesIn(i: FactInput): Stage[] {
  return [
    { $match: { orgId: { $in: i.orgIds }, createdAt: { $gte: i.start, $lt: i.end } } },
    {
      $group: {
        _id: '$documentId',
        first: {
          $top: {
            sortBy: { createdAt: 1, _id: 1 },
            output: { at: '$createdAt', versionId: '$versionId' },
          },
        },
      },
    },
    {
      $lookup: {
        from: i.collections.dispatches,
        localField: '_id',
        foreignField: 'documentId',
        pipeline: [
          { $match: { createdAt: { $lt: i.start } } },
          { $limit: 1 },
          { $project: { _id: 1 } },
        ],
        as: 'earlier',
      },
    },
    { $match: { earlier: { $size: 0 } } },
  ];
}

/** The document facts of first dispatches: type, urgency, signatures of the dispatched version. */
function outgoingRows(i: FactInput): Stage[] {
  return [
    {
      $lookup: {
        from: i.collections.documents,
        localField: '_id',
        foreignField: '_id',
        pipeline: [
          {
            $project: {
              'meta.type': 1,
              'meta.urgency': 1,
              'versions._id': 1,
              'versions.reason': 1,
              'versions.signature.kind': 1,
            },
          },
        ],
        as: 'doc',
      },
    },
    { $unwind: '$doc' },
    {
      $project: {
        at: '$first.at',
        type: '$doc.meta.type',
        urgency: '$doc.meta.urgency',
        sig: signaturesOfDispatchedVersion(),
      },
    },
    { $project: { at: 1, type: 1, urgency: 1, seal: '$sig.seal', personal: '$sig.personal' } },
  ];
}

export function factStages(set: FactSet, input: FactInput): Stage[] {
  switch (set) {
    case 'outgoing':
      return outgoingFacts(input);
    case 'sent':
      return sentFacts(input);
    case 'received':
      return receivedFacts(input);
    case 'due':
      return dueFacts(input);
  }
}

/** Bucket of a fact row: null for one total, else the start of its calendar period. */
export function bucketExpr(unit: TStatsPeriod | null, date = '$at'): unknown {
  if (!unit) return null;

  return {
    $dateTrunc: {
      date,
      unit,
      timezone: VN_TIMEZONE,
      ...(unit === 'week' ? { startOfWeek: 'monday' } : {}),
    },
  };
}

/** What identifies a fact row in its source collection: a delivery, or a dispatch's document. */
const ROW_KEY: Record<FactSet, string> = perSet((set) =>
  SET_KIND[set] === 'document' ? 'documentId' : '_id',
);

/**
 * The fact pipeline of the rows whose id matches `rows` (`{$in: […]}`, `{$gte: …}`…), the source
 * narrowed by `narrow` (conditions every row of the flag wanted meets, so a partial index holding
 * only those rows can serve).
 */
export function factStagesOfRows(
  set: FactSet,
  input: FactInput,
  rows: Record<string, unknown>,
  narrow: Record<string, unknown> = {},
): Stage[] {
  const [first, ...rest] = factStages(set, input);
  const match = (first as { $match: Record<string, unknown> }).$match;

  return [{ $match: { ...match, ...narrow, [ROW_KEY[set]]: rows } }, ...rest];
}

/**
 * The same rows in id order, streamed: the source is read in row-id order (so a `$limit` after
 * the flags stops the read), and an outgoing document is recognised by its dispatch in the range
 * having no earlier dispatch at all (instead of grouping the range's dispatches first).
 */
export function factStagesInRowOrder(
  set: FactSet,
  input: FactInput,
  rows: Record<string, unknown>,
  narrow: Record<string, unknown> = {},
): Stage[] {
  if (set !== 'outgoing') {
    const [match, ...rest] = factStagesOfRows(set, input, rows, narrow);

    return [match!, { $sort: { _id: 1 } }, ...rest];
  }

  return [
    {
      $match: {
        orgId: { $in: input.orgIds },
        createdAt: { $gte: input.start, $lt: input.end },
        documentId: rows,
      },
    },
    { $sort: { documentId: 1 } },
    {
      $lookup: {
        from: input.collections.dispatches,
        localField: 'documentId',
        foreignField: 'documentId',
        let: { t: '$createdAt', i: '$_id' },
        pipeline: [
          {
            $match: {
              $expr: {
                $or: [
                  { $lt: ['$createdAt', '$$t'] },
                  { $and: [{ $eq: ['$createdAt', '$$t'] }, { $lt: ['$_id', '$$i'] }] },
                ],
              },
            },
          },
          { $limit: 1 },
          { $project: { _id: 1 } },
        ],
        as: 'earlier',
      },
    },
    { $match: { earlier: { $size: 0 } } },
    { $project: { _id: '$documentId', first: { at: '$createdAt', versionId: '$versionId' } } },
    ...outgoingRows(input),
  ];
}
