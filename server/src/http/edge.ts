import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { hasBody, sendProblem } from './problem.js';

const KB = 1024;
const MB = 1024 * KB;

/** Login, refresh and logout carry a username and password or one refresh token: a few KB. */
export const AUTH_BODY_LIMIT = 4 * KB;
/** OCSP and TSA requests are small DER structures (the pki module's parser has the same). */
const PKI_BODY_LIMIT = 64 * KB;
/** multipart framing around the PDF of a public validation. */
const MULTIPART_SLACK = 1 * MB;

export type PublicBodyRoute = {
  method: 'POST';
  path: string;
  /** The most an anonymous caller may declare in Content-Length. */
  maxBytes: (config: Config) => number;
};

/**
 * The only routes an anonymous caller may send a body to, in one place. Every other request
 * with a body and no credential is refused before a byte of it is read. Keep in step with the
 * routers: auth.routes.ts (login, refresh, logout), validation.routes.ts (public validations),
 * pki.routes.ts (OCSP, TSA).
 */
export const PUBLIC_BODY_ROUTES: readonly PublicBodyRoute[] = [
  { method: 'POST', path: '/api/v1/auth/login', maxBytes: () => AUTH_BODY_LIMIT },
  { method: 'POST', path: '/api/v1/auth/refresh', maxBytes: () => AUTH_BODY_LIMIT },
  { method: 'POST', path: '/api/v1/auth/logout', maxBytes: () => AUTH_BODY_LIMIT },
  {
    method: 'POST',
    path: '/api/v1/public/validations',
    maxBytes: (c) => c.UPLOAD_LIMIT_MB * MB + MULTIPART_SLACK,
  },
  { method: 'POST', path: '/pki/ocsp', maxBytes: () => PKI_BODY_LIMIT },
  { method: 'POST', path: '/pki/tsa', maxBytes: () => PKI_BODY_LIMIT },
];

/** Express routes ignore case and a trailing slash; the lookups here do the same. */
function routeKey(req: Request): string {
  return `${req.baseUrl}${req.path}`.toLowerCase().replace(/\/+$/, '');
}

export function publicBodyRoute(req: Request): PublicBodyRoute | undefined {
  const path = routeKey(req);

  return PUBLIC_BODY_ROUTES.find((r) => r.method === req.method && r.path === path);
}

function declaredLength(req: Request): number | undefined {
  const length = Number(req.headers['content-length']);

  return Number.isFinite(length) ? length : undefined;
}

/** Answers without reading the body; sendProblem closes the connection after the answer. */
function refuseUnread(req: Request, res: Response, err: AppError): void {
  sendProblem(req, res, err.code, err.detail, err.extra);
}

/**
 * After authentication (headers only), before any body parser: an anonymous request with a body
 * is a 401 unless it goes to a public body route; a public route's declared size is checked
 * against its limit. Body parsers with per-route limits run after this.
 */
export function bodyGate(config: Config): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req) || req.principal) return next();
    const route = publicBodyRoute(req);
    if (!route) {
      return refuseUnread(
        req,
        res,
        new AppError(
          'UNAUTHENTICATED',
          'Cần đăng nhập hoặc khóa API hợp lệ trước khi gửi dữ liệu.',
        ),
      );
    }
    const length = declaredLength(req);
    const max = route.maxBytes(config);
    if (length !== undefined && length > max) {
      return refuseUnread(
        req,
        res,
        new AppError('PAYLOAD_TOO_LARGE', `Dữ liệu vượt quá giới hạn ${max} byte.`),
      );
    }
    next();
  };
}

/** `BODY_LIMIT` ("1mb", "512kb", "2048") in bytes; the config has checked its form. */
export function parseByteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!m) throw new RangeError(`not a byte size: ${value}`);
  const unit = { b: 1, kb: KB, mb: MB, gb: 1024 * MB }[(m[2] ?? 'b').toLowerCase() as 'b'];

  return Math.floor(Number(m[1]) * unit);
}

/** JSON nesting deeper than this is refused before parsing; real requests use a handful. */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply the JSON text nests arrays and objects, counted over the bytes without parsing
 * (brackets inside strings do not count). Stops counting once past `limit`.
 */
export function jsonDepthExceeds(buf: Buffer, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }

  return false;
}

/** A verify error body-parser passes on as is: the problem handler answers 400. */
class TooDeep extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';
  constructor() {
    super(`JSON lồng nhau quá ${MAX_JSON_DEPTH} cấp.`);
  }
}

/**
 * JSON bodies for /api: a public body route keeps its own smaller limit (login, refresh and
 * logout a few KB), every other route `BODY_LIMIT`. A declared length over the limit is refused
 * before reading; nesting deeper than MAX_JSON_DEPTH is refused before parsing, so nothing later
 * walks a 100,000-deep value.
 */
export function jsonBody(config: Config): RequestHandler {
  const verify = (_req: unknown, _res: unknown, buf: Buffer) => {
    if (jsonDepthExceeds(buf)) throw new TooDeep();
  };
  const apiLimit = parseByteSize(config.BODY_LIMIT);
  const parsers = new Map<number, RequestHandler>();
  const parser = (limit: number) => {
    let p = parsers.get(limit);
    if (!p) parsers.set(limit, (p = express.json({ limit, strict: true, verify })));

    return p;
  };

  return (req, res, next) => {
    const route = publicBodyRoute(req);
    const limit = route ? Math.min(route.maxBytes(config), apiLimit) : apiLimit;
    const length = declaredLength(req);
    if (length !== undefined && length > limit && req.is('application/json')) {
      return refuseUnread(
        req,
        res,
        new AppError('PAYLOAD_TOO_LARGE', `Dữ liệu JSON vượt quá giới hạn ${limit} byte.`),
      );
    }
    parser(limit)(req, res, next);
  };
}
