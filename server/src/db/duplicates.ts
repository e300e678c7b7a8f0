/**
 * Positions, in an unordered bulk write, of the documents refused as duplicate keys — for
 * writes where "already there" means "already done" (a replay, a repair). Any other failure is
 * rethrown.
 */
export function duplicateIndexes(err: unknown): number[] {
  const raw = (err as { writeErrors?: unknown }).writeErrors;
  const errors = (Array.isArray(raw) ? raw : raw ? [raw] : []) as { code: number; index: number }[];
  if (errors.length === 0 || errors.some((e) => e.code !== 11000)) throw err;

  return errors.map((e) => e.index);
}
