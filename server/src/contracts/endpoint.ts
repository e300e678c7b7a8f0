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
 * An answer that is not JSON: a file or a protocol message of one of `types` (DER, PDF, XML,
 * PEM), read by a caller as bytes or as text. The route writes it itself.
 */
export type FileAnswer<T extends Uint8Array | string> = Answer<T> & {
  readonly types: readonly [string, ...string[]];
  readonly read: T extends string ? 'text' : 'bytes';
};
export const bytes = (type: string, ...more: string[]): FileAnswer<Uint8Array> => ({
  types: [type, ...more],
  read: 'bytes',
});
export const text = (type: string, ...more: string[]): FileAnswer<string> => ({
  types: [type, ...more],
  read: 'text',
});

/**
 * One route, declared once: the server serves it (http/route.ts `serve`), the OpenAPI generator
 * describes it, the web client and the tests call it. `path` is under the router's `base`.
 */
export type Endpoint = {
  method: Method;
  /** What `base` is under: API_PREFIX unless said (the public /pki endpoints are outside it). */
  root?: string;
  base: string;
  path: string;
  body?: ZodTypeAny;
  /**
   * A body that is not JSON: bytes or text of one of these media types (an edXML package, an OCSP
   * request), read by the route's own parser; the first is what callers send.
   */
  raw?: readonly [string, ...string[]];
  query?: ZodTypeAny;
  params?: ZodTypeAny;
  /** Omit for public routes; an empty list means any authenticated caller. */
  roles?: readonly TRole[];
  returns: Answer<unknown>;
};

/** A route under API_PREFIX: the web client reaches only these (not /pki). */
export type ApiEndpoint = Endpoint & { root?: undefined };

/** A route of a table; one served by another router than the table's names its own `base`. */
type Declared = Omit<Endpoint, 'base'> & { base?: string };

type Mounted<T, R> = {
  [K in keyof T]: T[K] & { base: string } & (R extends string ? { root: R } : unknown);
};

/** The routes of one router, mounted at `base` (after API_PREFIX, or after `root` when given). */
export function routes<
  T extends Record<string, Declared>,
  R extends string | undefined = undefined,
>(base: string, table: T, root?: R): Mounted<T, R> {
  const out: Record<string, Endpoint> = {};
  for (const [name, e] of Object.entries(table))
    out[name] = { ...(root === undefined ? {} : { root }), base, ...e };

  return out as Mounted<T, R>;
}

export type AnswerOf<E> = E extends { returns: Answer<infer R> } ? R : never;

type In<E, K extends 'body' | 'query' | 'params'> = K extends 'body'
  ? E extends { raw: readonly string[] }
    ? string | Uint8Array
    : Schema<E, K>
  : Schema<E, K>;
type Schema<E, K extends 'body' | 'query' | 'params'> = E extends { [k in K]: infer S }
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

/** The request's path from the hub's root (API_PREFIX or the route's own `root`) and query. */
export function hrefOf(
  e: Pick<Endpoint, 'root' | 'base' | 'path'>,
  input: { params?: object; query?: object } = {},
): string {
  return `${e.root ?? API_PREFIX}${urlOf(e, input)}`;
}

/** The request's path (after API_PREFIX, or the route's `root`) and query string. */
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
