import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { HubContext } from '../context.js';
import { RETRY_AFTER_S } from '../db/availability.js';
import { MIN_FREE_BYTES } from '../db/engine/supervisor.js';
import { AppError } from '../errors/app-error.js';
import { isUnreachable } from '../db/unreachable.js';
import { sendProblem } from './problem.js';

/** The routes that need the database: the API and the PKI responders. */
const DB_PATHS = /^\/(api|pki)(\/|$)/;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** MongoDB's error code when it refuses an operation for lack of disk space. */
const OUT_OF_DISK_SPACE = 14031;

function diskFull(ctx: HubContext): number | null {
  const free = ctx.db.freeBytes();

  return free !== null && free < MIN_FREE_BYTES ? free : null;
}

function storageError(free: number): AppError {
  return new AppError(
    'INSUFFICIENT_STORAGE',
    `Đĩa lưu dữ liệu của hub đã gần đầy (còn ${Math.floor(free / 1024)} KB); chưa ghi gì. Hãy thử lại sau khi quản trị viên giải phóng dung lượng.`,
    { retryAfter: RETRY_AFTER_S * 5 },
  );
}

function unavailableError(ctx: HubContext): AppError {
  const outage = ctx.db.availability.outage;

  return new AppError(
    'UNAVAILABLE',
    `Cơ sở dữ liệu tạm thời không trả lời${outage ? ` (${outage.detail})` : ''}; hãy thử lại sau ${RETRY_AFTER_S} giây với cùng Idempotency-Key.`,
    { retryAfter: RETRY_AFTER_S, reason: outage?.reason ?? 'unreachable' },
  );
}

function refuse(req: Request, res: Parameters<RequestHandler>[1], err: AppError): void {
  res.setHeader('retry-after', String(err.extra!.retryAfter));
  sendProblem(req, res, err.code, err.detail, err.extra);
}

/**
 * While the database is away, requests that need it are answered 503 `UNAVAILABLE` with
 * Retry-After at once instead of waiting on the driver; while DATA_DIR's disk is (nearly) full,
 * writes are answered 507 before anything is written. Nothing is read from the body.
 */
export function failFast(ctx: HubContext): RequestHandler {
  return (req, res, next) => {
    if (!DB_PATHS.test(req.path)) return next();
    const free = READS.has(req.method) ? null : diskFull(ctx);
    if (free !== null) return refuse(req, res, storageError(free));
    if (!ctx.db.availability.available) return refuse(req, res, unavailableError(ctx));
    next();
  };
}

/**
 * A request that was under way when the database went away fails with a driver error: it
 * becomes the same 503 (507 when the disk is full), which retryAfterHeader then dates.
 */
export function databaseErrors(ctx: HubContext): ErrorRequestHandler {
  return (err, _req, _res, next) => {
    const code = (err as { code?: unknown } | null)?.code;
    // the engine refuses some writes itself below its own margin (OutOfDiskSpace, e.g. indexes)
    const outOfDisk = code === 'ENOSPC' || code === OUT_OF_DISK_SPACE;
    if (!outOfDisk && !isUnreachable(err)) return next(err);
    const free = diskFull(ctx);
    if (outOfDisk || free !== null) return next(storageError(free ?? ctx.db.freeBytes() ?? 0));
    next(unavailableError(ctx));
  };
}
