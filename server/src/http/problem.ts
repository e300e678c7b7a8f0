import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { AppError, ERRORS, type ErrorCode } from '../errors/app-error.js';
import { LibraryError } from '../errors/library-error.js';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errorId?: string;
  [extra: string]: unknown;
};

function lang(req: Request): 'vi' | 'en' {
  return /^en\b/i.test(req.headers['accept-language'] ?? '') ? 'en' : 'vi';
}

/** A request has a body when it says so: a non-zero Content-Length or any Transfer-Encoding. */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];

  return length !== undefined && length !== '0';
}

/** How long the rest of a refused body is still taken in (and dropped) after the answer. */
const LINGER_MS = 2_000;

/**
 * The answer comes before the body was read: close the connection after it, or Node would read
 * the whole rest of the body (at the sender's pace) only to keep the connection alive. Node
 * closes at once after the answer, though, and body bytes still arriving then make the kernel
 * reset the connection, which can wipe the answer before a busy sender has read it. So, like a
 * web server's lingering close: half-close after the answer, drop what still comes for at most
 * LINGER_MS (nothing is kept), then close.
 */
function closeAfterAnswer(req: Request, res: Response): void {
  res.setHeader('connection', 'close');
  const socket = req.socket;
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

export function sendProblem(
  req: Request,
  res: Response,
  code: ErrorCode,
  detail: string,
  extra?: object,
) {
  const spec = ERRORS[code];
  const body: Problem = {
    type: `https://lienthong.gov.vn/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: spec[lang(req)],
    status: spec.status,
    detail,
    code,
    requestId: String(req.id ?? ''),
    ...extra,
  };
  if (hasBody(req) && !req.complete) closeAfterAnswer(req, res);
  res.status(spec.status).type('application/problem+json').send(JSON.stringify(body));
}

/** Maps body-parser's own errors: they carry `type` and `status`. */
function bodyParserCode(err: { type?: string; status?: number }): ErrorCode | null {
  if (err.type === 'entity.parse.failed') return 'MALFORMED_JSON';
  if (err.type === 'entity.too.deep') return 'VALIDATION_FAILED'; // edge.ts: nesting too deep
  if (err.type === 'entity.too.large' || err.status === 413) return 'PAYLOAD_TOO_LARGE';
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')
    return 'UNSUPPORTED_MEDIA_TYPE';

  return null;
}

function zodDetail(err: ZodError): { detail: string; errors: { path: string; message: string }[] } {
  const errors = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = errors[0];

  return {
    detail: first ? `${first.path || '(body)'}: ${first.message}` : 'invalid input',
    errors,
  };
}

/** The one place errors become HTTP responses. */
export const problemHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof AppError) return sendProblem(req, res, err.code, err.detail, err.extra);
  if (err instanceof ZodError) {
    const { detail, errors } = zodDetail(err);

    return sendProblem(req, res, 'VALIDATION_FAILED', detail, { errors });
  }
  if (err instanceof LibraryError)
    return sendProblem(req, res, 'UNPROCESSABLE', err.message, { reason: err.code });
  const parserCode = bodyParserCode(err as { type?: string; status?: number });
  if (parserCode) return sendProblem(req, res, parserCode, (err as Error).message);
  if ((err as { status?: number }).status === 400 || err instanceof URIError) {
    return sendProblem(
      req,
      res,
      'VALIDATION_FAILED',
      'yêu cầu không hợp lệ (đường dẫn hoặc nội dung)',
    );
  }
  if ((err as { name?: string }).name === 'CastError') {
    return sendProblem(req, res, 'VALIDATION_FAILED', 'mã định danh không hợp lệ');
  }
  if ((err as { code?: number }).code === 11000)
    return sendProblem(req, res, 'CONFLICT', 'bản ghi đã tồn tại');
  const errorId = randomUUID();
  req.log.error({ err, errorId }, 'unhandled error');

  return sendProblem(
    req,
    res,
    'INTERNAL',
    'Đã xảy ra lỗi không mong muốn; hãy báo mã lỗi cho quản trị viên.',
    { errorId },
  );
};

export const notFoundHandler: RequestHandler = (req, res) =>
  sendProblem(req, res, 'ROUTE_NOT_FOUND', `${req.method} ${req.path}`);
