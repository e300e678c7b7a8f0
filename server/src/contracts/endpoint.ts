import { z, type ZodTypeAny } from 'zod';
import { ZObjectId, type TRole } from './common.js';

/** Every route of the JSON API is under this prefix. */
export const API_PREFIX = '/api/v1';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * What a route answers with a 2xx, for the type checker only: answers are not parsed at run time,
 * the server's handler is checked against it when it is compiled.
 */
export type Answer<T> = { readonly answer?: T };
export const answer = <T>(): Answer<T> => ({});

/**
 * One route, declared once: the server serves it (http/route.ts `serve`), the OpenAPI generator
 * describes it, the web client and the tests call it. `path` is under the router's `base`.
 */
export type Endpoint = {
  method: Method;
  base: string;
  path: string;
  body?: ZodTypeAny;
  query?: ZodTypeAny;
  params?: ZodTypeAny;
  /** Omit for public routes; an empty list means any authenticated caller. */
  roles?: readonly TRole[];
  returns: Answer<unknown>;
};

/** A route of a table; one served by another router than the table's names its own `base`. */
type Declared = Omit<Endpoint, 'base'> & { base?: string };

/** The routes of one router, mounted at `base` (after API_PREFIX). */
export function routes<T extends Record<string, Declared>>(
  base: string,
  table: T,
): { [K in keyof T]: T[K] & { base: string } } {
  const out: Record<string, Endpoint> = {};
  for (const [name, e] of Object.entries(table)) out[name] = { base, ...e };

  return out as { [K in keyof T]: T[K] & { base: string } };
}

export type AnswerOf<E> = E extends { returns: Answer<infer R> } ? R : never;

type In<E, K extends 'body' | 'query' | 'params'> = E extends { [k in K]: infer S }
  ? S extends ZodTypeAny
    ? z.input<S>
    : undefined
  : undefined;
export type Out<E, K extends 'body' | 'query' | 'params'> = E extends { [k in K]: infer S }
  ? S extends ZodTypeAny
    ? z.output<S>
    : undefined
  : undefined;

type Part<E, K extends 'body' | 'query' | 'params'> =
  In<E, K> extends undefined
    ? { [k in K]?: undefined }
    : Record<string, never> extends In<E, K>
      ? { [k in K]?: In<E, K> }
      : { [k in K]: In<E, K> };

/** What a caller gives: the path parameters, the query and the body, as the schemas accept them. */
export type CallInput<E> = Part<E, 'params'> & Part<E, 'query'> & Part<E, 'body'>;

/** The request's path (after API_PREFIX) and query string. */
export function urlOf(
  e: Pick<Endpoint, 'base' | 'path'>,
  input: { params?: object; query?: object } = {},
): string {
  const values = (input.params ?? {}) as Record<string, unknown>;
  const path = `${e.base}${e.path === '/' ? '' : e.path}`.replace(/:(\w+)/g, (_, name: string) =>
    encodeURIComponent(String(values[name])),
  );
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(input.query ?? {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();

  return s ? `${path}?${s}` : path;
}

export const ZId = z.object({ id: ZObjectId }).strict();
