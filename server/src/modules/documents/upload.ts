import type { RequestHandler } from 'express';
import multer from 'multer';
import { ZDocumentMeta, type TDocumentMeta } from '../../contracts/documents.js';
import type { TRole } from '../../contracts/common.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { findOperatorKey } from '../../http/route.js';
import { hasRole } from '../../http/principal.js';

const MB = 1024 * 1024;

/**
 * Checks the caller before any byte of the body is buffered: a stranger must not make the hub
 * hold a 50 MB upload in memory only to be refused afterwards.
 */
export function authorizeUpload(roles: TRole[]): RequestHandler {
  return (req, _res, next) => {
    const p = req.principal;
    if (!p) return next(new AppError('UNAUTHENTICATED', 'Cần đăng nhập hoặc khóa API hợp lệ.'));
    if (!hasRole(p, ...roles)) {
      return next(
        new AppError('FORBIDDEN', `Thao tác này cần một trong các vai trò: ${roles.join(', ')}.`),
      );
    }
    next();
  };
}

/** Multer's limits and busboy's parse errors are the client's fault: 413 or 400, never a 500. */
function multerError(err: unknown, limitMb: number): AppError {
  if (!(err instanceof multer.MulterError)) {
    return new AppError(
      'VALIDATION_FAILED',
      `Không đọc được dữ liệu multipart (${(err as Error).message}).`,
    );
  }
  if (err.code === 'LIMIT_FILE_SIZE') {
    return new AppError('PAYLOAD_TOO_LARGE', `Tệp vượt quá giới hạn ${limitMb} MB.`);
  }

  return new AppError(
    'VALIDATION_FAILED',
    `Dữ liệu multipart không hợp lệ (${err.code}${err.field ? `: ${err.field}` : ''}); chỉ gửi một phần "file" (PDF) và một phần "meta" (JSON).`,
  );
}

/** multipart/form-data with one `file` part (kept in memory, size-limited) and a `meta` field. */
export function parseUpload(ctx: HubContext): RequestHandler {
  const limitMb = ctx.config.UPLOAD_LIMIT_MB;
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limitMb * MB, files: 1, fields: 4, fieldSize: 64 * 1024, parts: 6 },
    // browsers send UTF-8 file names without a charset parameter
    defParamCharset: 'utf8',
  }).single('file');

  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      return next(
        new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'Hãy gửi văn bản dạng multipart/form-data gồm phần "file" (PDF) và "meta" (JSON).',
        ),
      );
    }
    upload(req, res, (err?: unknown) => next(err ? multerError(err, limitMb) : undefined));
  };
}

/** The `meta` part: JSON of Decree 30 metadata. */
export function parseMetaField(raw: unknown): TDocumentMeta {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Thiếu phần "meta" (JSON thông tin văn bản).');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError('MALFORMED_JSON', 'Phần "meta" không phải JSON hợp lệ.');
  }
  const key = findOperatorKey(value);
  if (key) throw new AppError('VALIDATION_FAILED', `meta: khóa không được phép "${key}"`);

  return ZDocumentMeta.parse(value);
}
