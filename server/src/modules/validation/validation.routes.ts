import express, {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import multer from 'multer';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { perAddressLimit } from '../../http/limits.js';
import { validationApi as api } from '../../contracts/validation.js';
import { serve } from '../../http/route.js';
import { requestLang, validateStoredVersion, validateUpload } from './validation.service.js';

const MB = 1024 * 1024;
/** Anonymous validations per minute from one address. */
export const PUBLIC_VALIDATIONS_PER_MINUTE = 10;
const PDF_TYPES = ['application/pdf', 'application/octet-stream'];

/** Refuses anonymous callers before any byte of the body is buffered. */
const requireLogin: RequestHandler = (req, _res, next) =>
  next(
    req.principal
      ? undefined
      : new AppError('UNAUTHENTICATED', 'Cần đăng nhập hoặc khóa API hợp lệ.'),
  );

/**
 * The PDF from a raw body (application/pdf) or a multipart part `file`, size-limited, moved to
 * res.locals so that route() never walks a buffer as if it were JSON.
 */
function pdfBody(ctx: HubContext): RequestHandler {
  const limitMb = ctx.config.UPLOAD_LIMIT_MB;
  const raw = express.raw({ type: PDF_TYPES, limit: `${limitMb}mb` });
  const multipart = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limitMb * MB, files: 1, fields: 0, parts: 1 },
  }).single('file');
  const keep = (req: Request, res: Response, next: NextFunction) => {
    const file = (req as Request & { file?: { buffer: Buffer } }).file;
    const body: unknown = req.body;
    res.locals.pdf = file?.buffer ?? (Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    req.body = {};
    next();
  };
  return (req, res, next) => {
    if (req.is('multipart/form-data'))
      return multipart(req, res, (err?: unknown) => {
        if (!err) return keep(req, res, next);
        const tooBig = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';
        next(
          tooBig
            ? new AppError('PAYLOAD_TOO_LARGE', `Tệp vượt quá giới hạn ${limitMb} MB.`)
            : new AppError('VALIDATION_FAILED', 'Hãy gửi đúng một phần "file" chứa tệp PDF.'),
        );
      });
    if (req.is(PDF_TYPES))
      return raw(req, res, (err?: unknown) => (err ? next(err) : keep(req, res, next)));
    next(
      new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Hãy gửi tệp PDF với Content-Type: application/pdf, hoặc multipart/form-data với phần "file".',
      ),
    );
  };
}

function publicLimit(): RequestHandler {
  return perAddressLimit(
    PUBLIC_VALIDATIONS_PER_MINUTE,
    'lần kiểm tra (đăng nhập để kiểm tra nhiều hơn)',
  );
}

function uploadRoutes(
  ctx: HubContext,
  e: typeof api.upload | typeof api.publicUpload,
  gate: RequestHandler,
): Router {
  const r = Router();
  serve(r, e, ({ req, res }) => validateUpload(ctx, res.locals.pdf as Buffer, requestLang(req)), {
    before: [gate, pdfBody(ctx)],
  });
  return r;
}

/** POST /api/v1/validations: any logged-in caller. */
export const validationsRoutes = (ctx: HubContext) => uploadRoutes(ctx, api.upload, requireLogin);

/** POST /api/v1/public/validations: anyone, rate-limited per address. */
export const publicValidationsRoutes = (ctx: HubContext) =>
  uploadRoutes(ctx, api.publicUpload, publicLimit());

/** GET /api/v1/documents/:id/validation[?versionId=]: a stored version the caller may read. */
export function documentValidationRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.document, ({ params, query, principal, req }) =>
    validateStoredVersion(ctx, principal, params.id, query.versionId, requestLang(req)),
  );
  return r;
}
