/** Driver and mongoose errors that mean "no server to talk to", not "this request is wrong". */
const UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
]);

/** Socket errors the driver lets through unwrapped when its server dies mid-write. */
const SOCKET_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED']);

/** A bulk write's error carries the socket's message only (`write EPIPE`, `connect ENOENT …`). */
const SOCKET_MESSAGE =
  /^(write EPIPE|read ECONNRESET|connect (ENOENT|ECONNREFUSED)|connection \S+ to \S+ (closed|timed out)) /;

export function isUnreachable(err: unknown, depth = 0): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || depth > 3) return false;

  return (
    (typeof e.name === 'string' && UNREACHABLE.has(e.name)) ||
    (typeof e.code === 'string' && SOCKET_CODES.has(e.code)) ||
    (e.name === 'MongoBulkWriteError' && SOCKET_MESSAGE.test(`${String(e.message)} `)) ||
    isUnreachable(e.cause, depth + 1)
  );
}
