import type { z, ZodTypeAny } from 'zod';
import {
  API_PREFIX,
  urlOf,
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

/** Calls a route of the contract as the given user (the same request the web client makes). */
export function call(hub: Hub, token?: string) {
  return async <E extends Endpoint>(e: E, ...[input, headers = {}]: Args<E>) => {
    const body = input?.body;
    const res = await fetch(`${hub.url}${API_PREFIX}${urlOf(e, input)}`, {
      method: e.method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const answer: Answered<E> = {
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
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
    if (url.pathname !== `${API_PREFIX}${urlOf(e)}`) throw new Error(`${link}: not ${e.path}`);
    const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body: Answered<E>['body'] = JSON.parse(await res.text());

    return { status: res.status, body, headers: res.headers };
  };
}
