import {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { AppError } from '../errors/app-error.js';
import { sendProblem } from './problem.js';

const MINUTE = 60_000;

export type LimitOptions = {
  /** Login attempts per minute for one username from one address (guessing one password). */
  loginPerUserIp: number;
  /** Login attempts per minute from one address, any username (spraying many accounts). */
  loginPerIp: number;
  /** API requests per minute per user or API key; per address for anonymous callers. */
  apiPerPrincipal: number;
  /** A JSON request that has not answered by then gets a 503; the work may still finish. */
  timeoutMs: number;
  /** Uploads stream their body inside the handler, so they get longer. */
  uploadTimeoutMs: number;
};

export const DEFAULT_LIMITS: LimitOptions = {
  loginPerUserIp: 10,
  loginPerIp: 100,
  apiPerPrincipal: 600,
  timeoutMs: 30_000,
  uploadTimeoutMs: 120_000,
};

/** The address part of a key: IPv6 callers are grouped by /56 so one host cannot rotate out. */
function ipKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

function principalKey(req: Request): string {
  const p = req.principal;

  return p ? `${p.kind}:${p.id}` : `ip:${ipKey(req)}`;
}

function usernameOf(req: Request): string {
  const u = (req.body as { username?: unknown } | undefined)?.username;

  return typeof u === 'string' ? u.trim().normalize('NFC').toLowerCase().slice(0, 100) : '';
}

function limiter(limit: number, key: (req: Request) => string, what: string): RequestHandler {
  const opts: Partial<Options> = {
    windowMs: MINUTE,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: key,
    handler: (req: Request, res: Response) => {
      const retry = res.getHeader('retry-after');
      sendProblem(
        req,
        res,
        'RATE_LIMITED',
        `Quá ${limit} ${what} mỗi phút; hãy thử lại sau ${String(retry ?? 60)} giây.`,
        { retryAfter: Number(retry ?? 60) },
      );
    },
  };

  return rateLimit(opts);
}

/** Login: per (address, username) and per address; both count every attempt. */
export function loginLimits(opts: LimitOptions = DEFAULT_LIMITS): RequestHandler[] {
  return [
    limiter(
      opts.loginPerUserIp,
      (req) => `${ipKey(req)}|${usernameOf(req)}`,
      'lần đăng nhập vào một tài khoản',
    ),
    limiter(opts.loginPerIp, ipKey, 'lần đăng nhập từ một địa chỉ'),
  ];
}

/** Public endpoints that cost CPU and need no login (validation, OCSP/TSA): per address. */
export function perAddressLimit(limit: number, what: string): RequestHandler {
  return limiter(limit, ipKey, `${what} từ một địa chỉ`);
}

/** Every /api request after authentication: per user, per API key, or per address. */
export function apiLimit(opts: LimitOptions = DEFAULT_LIMITS): RequestHandler {
  return limiter(opts.apiPerPrincipal, principalKey, 'yêu cầu');
}

/**
 * Answers 503 when the handler has not answered in time, so a client and the proxy in front are
 * not held forever. The handler is not cancelled; writes it makes later are dropped quietly.
 */
export function requestTimeout(ms: number, uploadMs = ms): RequestHandler {
  return (req, res, next) => {
    const limit = req.is('multipart/form-data') ? uploadMs : ms;
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      res.setHeader('retry-after', '5');
      sendProblem(req, res, 'UNAVAILABLE', `Yêu cầu không xong trong ${limit / 1000} giây.`);
      // the late answer of the handler must not throw "headers already sent"
      res.setHeader = (() => res) as unknown as Response['setHeader'];
      res.writeHead = (() => res) as unknown as Response['writeHead'];
      res.write = () => true;
      res.end = (() => res) as unknown as Response['end'];
    }, limit);
    timer.unref();
    const clear = () => clearTimeout(timer);
    res.once('finish', clear);
    res.once('close', clear);
    next();
  };
}

/** Everything above, mounted at /api after authentication and before the modules' routes. */
export function limitsRouter(opts: LimitOptions = DEFAULT_LIMITS): Router {
  const r = Router();
  r.use(requestTimeout(opts.timeoutMs, opts.uploadTimeoutMs));
  // a login counts against the login limits only: leave this router, skipping apiLimit
  r.post('/v1/auth/login', ...loginLimits(opts), (_req, _res, next) => next('router'));
  r.use(apiLimit(opts));

  return r;
}

/**
 * Turns `retryAfter` (seconds) in an AppError's extra into a Retry-After header; mounted after the
 * modules' routes so it sees their errors before the problem handler answers.
 */
export const retryAfterHeader: ErrorRequestHandler = (err, _req, res, next) => {
  const retry = err instanceof AppError ? err.extra?.retryAfter : undefined;
  if (typeof retry === 'number' && !res.headersSent) res.setHeader('retry-after', String(retry));
  next(err);
};

/**
 * retryAfterHeader in the shape of a Mount's router. A Router cannot be used: its handler has
 * three parameters, and express only hands errors to four-parameter handlers.
 */
export const retryAfterMount = (): { path: string; router: Router } => ({
  path: '/api',
  router: retryAfterHeader as unknown as Router,
});

export type Queue = {
  /** Runs `task` when a slot is free; refuses at once (503) when too many are already waiting. */
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly pending: number;
};

export type QueueOptions = {
  concurrency: number;
  maxPending: number;
  /** Told to refused callers; roughly how long the queue takes to drain. */
  retryAfterSeconds?: number;
  /** For the message, e.g. "ký số". */
  name?: string;
};

/**
 * A bounded work queue for CPU-heavy requests (signing): at most `concurrency` run at once, at
 * most `maxPending` wait; beyond that the caller gets AppError UNAVAILABLE with `retryAfter`,
 * which retryAfterHeader() turns into a Retry-After header. Refusing early keeps latency bounded
 * instead of letting every request time out together.
 */
export function createQueue(opts: QueueOptions): Queue {
  if (opts.concurrency < 1 || opts.maxPending < 0) {
    throw new RangeError('createQueue: concurrency must be ≥ 1 and maxPending ≥ 0');
  }
  const waiting: (() => void)[] = [];
  let active = 0;
  const retryAfter = opts.retryAfterSeconds ?? 5;
  const release = () => {
    active--;
    const nextTask = waiting.shift();
    if (nextTask) {
      active++;
      nextTask();
    }
  };

  return {
    get active() {
      return active;
    },
    get pending() {
      return waiting.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= opts.concurrency) {
        if (waiting.length >= opts.maxPending) {
          throw new AppError(
            'UNAVAILABLE',
            `Hàng đợi ${opts.name ?? 'xử lý'} đang đầy; hãy thử lại sau ${retryAfter} giây.`,
            { retryAfter },
          );
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
