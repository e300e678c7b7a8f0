import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ZodType, ZodTypeDef } from 'zod';
import type { TRole } from '../contracts/common.js';
import { AppError } from '../errors/app-error.js';
import { hasRole, type Principal } from '../modules/auth/principal.js';

type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

export type RouteSpec<B, Q, P> = {
  body?: Schema<B>;
  query?: Schema<Q>;
  params?: Schema<P>;
  /** Omit for public routes; an empty list means any authenticated caller. */
  roles?: TRole[];
};

export type RouteInput<B, Q, P> = {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  req: Request;
  res: Response;
};

/** `$`-operators and dotted keys are how NoSQL injection reaches a query; refuse them anywhere. */
export function findOperatorKey(value: unknown, path = ''): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findOperatorKey(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('$') || k.includes('.')) return `${path}${path ? '.' : ''}${k}`;
      const hit = findOperatorKey(v, `${path}${path ? '.' : ''}${k}`);
      if (hit) return hit;
    }
  }

  return null;
}

function authorize(req: Request, roles: TRole[] | undefined): Principal {
  if (roles === undefined) return req.principal as Principal;
  const p = req.principal;
  if (!p) throw new AppError('UNAUTHENTICATED', 'Cần đăng nhập hoặc khóa API hợp lệ.');
  if (roles.length > 0 && !hasRole(p, ...roles)) {
    throw new AppError('FORBIDDEN', `Thao tác này cần một trong các vai trò: ${roles.join(', ')}.`);
  }

  return p;
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
