import type { z, ZodTypeAny } from 'zod';
import {
  hrefOf,
  type AnswerOf,
  type CallInput,
  type Endpoint,
} from '../../server/src/contracts/endpoint.js';
import type { TDocument, TOwnerDocument } from '../../server/src/contracts/documents.js';
import type { EventType, TAnyEvent } from '../../server/src/contracts/events.js';
import type { Hub } from '../../server/src/hub.js';
import type { ProblemBody } from './hub.js';

export { API } from '../../server/src/contracts/api.js';

type Args<E> =
  Record<string, never> extends CallInput<E>
    ? [input?: CallInput<E>, headers?: Record<string, string>]
    : [input: CallInput<E>, headers?: Record<string, string>];

/** What a route's body schema accepts. */
export type BodyOf<E> = E extends { body: infer S extends ZodTypeAny } ? z.input<S> : never;

/** An answer: the route's declared body on success, a problem's code and detail on failure. */
export type Answered<E> = {
  status: number;
  body: AnswerOf<E> & Partial<Pick<ProblemBody, 'code' | 'detail'>>;
  headers: Headers;
};

/**
 * The answer's body: JSON (the route's answer or a problem), else what the route declares it
 * answers — bytes, or text (XML, PEM).
 */
async function bodyOf(e: Endpoint, res: Response): Promise<unknown> {
  if (/json/.test(res.headers.get('content-type') ?? '')) return res.json();
  if ('read' in e.returns && e.returns.read === 'bytes')
    return new Uint8Array(await res.arrayBuffer());
  const text = await res.text();

  return text ? text : undefined;
}

/**
 * Calls a route of the contract as the given user (the same request the web client makes). A
 * route that reads a raw body (edXML, OCSP) is sent it as is, typed as the route's first media
 * type unless the headers say otherwise.
 */
export function call(hub: Hub, token?: string) {
  return async <E extends Endpoint>(e: E, ...[input, headers = {}]: Args<E>) => {
    const body: unknown = input?.body;
    const raw = e.raw !== undefined;
    const type = e.raw?.[0] ?? 'application/json';
    const res = await fetch(`${hub.url}${hrefOf(e, input)}`, {
      method: e.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': type } : {}),
        ...headers,
      },
      body:
        body === undefined ? undefined : raw ? (body as string | Uint8Array) : JSON.stringify(body),
    });
    const answer: Answered<E> = {
      status: res.status,
      body: (await bodyOf(e, res)) as Answered<E>['body'],
      headers: res.headers,
    };

    return answer;
  };
}

/** The document as its owner organization sees it (workflow, recipients); fails on another view. */
export function ownerView(d: TDocument): TOwnerDocument {
  if (d.view === 'recipient') throw new Error(`document ${d.id}: a recipient's view`);

  return d;
}

/** The events of one type, their payloads typed. */
export function ofType<K extends EventType>(events: TAnyEvent[], type: K) {
  return events.filter((e): e is Extract<TAnyEvent, { type: K }> => e.type === type);
}

/** Fetches a link the hub gave (a figure's drill-down), checked to be a link to route `e`. */
export function follow(hub: Hub, token?: string) {
  return async <E extends Endpoint>(e: E, link: string) => {
    const url = new URL(link, hub.url);
    if (url.pathname !== hrefOf(e)) throw new Error(`${link}: not ${e.path}`);
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = (await bodyOf(e, res)) as Answered<E>['body'];

    return { status: res.status, body, headers: res.headers };
  };
}
