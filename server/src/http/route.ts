import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { ZodType, ZodTypeDef } from 'zod';
import type { TRole } from '../contracts/common.js';
import type { AnswerOf, Endpoint, Out } from '../contracts/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { hasRole, type Principal } from './principal.js';

type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

export type RouteSpec<B, Q, P> = {
  body?: Schema<B>;
  query?: Schema<Q>;
  params?: Schema<P>;
  /** Omit for public routes; an empty list means any authenticated caller. */
  roles?: readonly TRole[];
  /** A body parser of its own (raw XML, text), run only once the caller is authorized. */
  reads?: RequestHandler;
};

export type RouteInput<B, Q, P> = {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  req: Request;
  res: Response;
};

/** Deeper than this is no request of ours; the JSON parser (edge.ts) refuses it already. */
export const MAX_VALUE_DEPTH = 64;

type Pending = { value: unknown; path: string; depth: number };

/**
 * `$`-operators and dotted keys are how NoSQL injection reaches a query; refuse them anywhere.
 * The walk uses its own stack, not recursion, and refuses values nested deeper than
 * MAX_VALUE_DEPTH: a 100,000-deep array must be a 400, not a stack overflow (500).
 */
export function findOperatorKey(value: unknown, path = ''): string | null {
  const stack: Pending[] = [{ value, path, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value: v, path: at, depth } = item;
    // bytes (a raw body: OCSP, TSA) have no keys to refuse
    if (!v || typeof v !== 'object' || ArrayBuffer.isView(v)) continue;
    if (depth >= MAX_VALUE_DEPTH) {
      throw new AppError('VALIDATION_FAILED', `Dữ liệu lồng nhau quá ${MAX_VALUE_DEPTH} cấp.`);
    }
    const children: Pending[] = [];
    if (Array.isArray(v)) {
      v.forEach((x, i) => children.push({ value: x, path: `${at}[${i}]`, depth: depth + 1 }));
    } else {
      for (const [k, x] of Object.entries(v)) {
        const keyPath = `${at}${at ? '.' : ''}${k}`;
        if (k.startsWith('$') || k.includes('.')) return keyPath;
        children.push({ value: x, path: keyPath, depth: depth + 1 });
      }
    }
    // reversed, so that the first child is looked at first, as a recursive walk would
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }

  return null;
}

function authorize(req: Request, roles: readonly TRole[] | undefined): Principal {
  if (roles === undefined) return req.principal as Principal;
  const p = req.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'Cần đăng nhập hoặc khóa API hợp lệ.');
  if (roles.length > 0 && !hasRole(p, ...roles)) {
    throw new AppError('FORBIDDEN', `Thao tác này cần một trong các vai trò: ${roles.join(', ')}.`);
  }

  return p;
}

function readBody(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) =>
    parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())),
  );
}

/**
 * One express handler from a spec: authentication and role check, operator-key refusal, zod
 * parsing of body/query/params (unknown fields refused by the schemas' `.strict()`), then the
 * handler; a returned value is sent as JSON.
 */
export function route<B = undefined, Q = undefined, P = undefined>(
  spec: RouteSpec<B, Q, P>,
  handler: (input: RouteInput<B, Q, P>) => Promise<unknown> | unknown,
): RequestHandler {
  const handle = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = authorize(req, spec.roles);
      if (spec.reads) await readBody(spec.reads, req, res);
      for (const [where, value] of [
        ['body', req.body],
        ['query', req.query],
      ] as const) {
        const key = findOperatorKey(value);
        if (key) throw new AppError('VALIDATION_FAILED', `${where}: khóa không được phép "${key}"`);
      }
      const input = {
        body: (spec.body ? spec.body.parse(req.body ?? {}) : undefined) as B,
        query: (spec.query ? spec.query.parse(req.query) : undefined) as Q,
        params: (spec.params ? spec.params.parse(req.params) : undefined) as P,
        principal,
        req,
        res,
      };
      const result = await handler(input);
      if (result !== undefined && !res.headersSent) res.json(result);
    } catch (err) {
      next(err);
    }
  };

  // The OpenAPI description is generated from the very schemas that validate requests.
  return Object.assign(handle, { spec: spec as RouteSpec<unknown, unknown, unknown> });
}

type Serving = {
  /** A body parser of its own (raw XML, text), run only once the caller is authorized. */
  reads?: RequestHandler;
  /** Handlers that run before the route's own checks (upload gates and parsers). */
  before?: RequestHandler[];
};

/**
 * What a handler may return for the JSON body: a file or text answer (bytes, XML, PEM) the handler
 * writes itself and returns nothing — returned, it would be sent as JSON.
 */
type Returned<E> = E extends { returns: { read: string } }
  ? void
  : Exclude<AnswerOf<E>, string | Uint8Array>;

/**
 * Serves a contract endpoint on a router: its schemas validate the request, and the handler must
 * answer what the endpoint declares (or write the response itself and return nothing).
 */
export function serve<E extends Endpoint>(
  r: Router,
  e: E,
  handler: (
    input: RouteInput<Out<E, 'body'>, Out<E, 'query'>, Out<E, 'params'>>,
  ) => Promise<Returned<E> | undefined> | Returned<E> | undefined,
  how: Serving = {},
): void {
  const spec: RouteSpec<Out<E, 'body'>, Out<E, 'query'>, Out<E, 'params'>> = {
    body: e.body,
    query: e.query,
    params: e.params,
    roles: e.roles,
    reads: how.reads,
  };
  const method = e.method.toLowerCase() as Lowercase<Endpoint['method']>;
  r[method](e.path, ...(how.before ?? []), route(spec, handler));
}
