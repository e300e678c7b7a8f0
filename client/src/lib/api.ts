import type { TTokens } from '../../../server/src/contracts/auth';
import {
  API_PREFIX,
  urlOf,
  type AnswerOf,
  type ApiEndpoint,
  type CallInput,
} from '../../../server/src/contracts/endpoint';
import { clearSession, loadSession, saveTokens, type Session } from './session';

export { API as routes } from '../../../server/src/contracts/api';
export { urlOf };

export const API = API_PREFIX;

/** A problem+json answer from the hub; `detail` is already in Vietnamese. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail || title);
  }
}

let refreshing: Promise<Session | null> | null = null;

async function doRefresh(s: Session): Promise<Session | null> {
  const res = await fetch(`${API}/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: s.refreshToken }),
  });
  if (!res.ok) {
    clearSession();

    return null;
  }

  return saveTokens((await res.json()) as TTokens);
}

/** One refresh at a time: refresh tokens rotate, a second concurrent use would look like reuse. */
export function refreshSession(): Promise<Session | null> {
  const s = loadSession();
  if (!s) return Promise.resolve(null);
  refreshing ??= doRefresh(s).finally(() => (refreshing = null));

  return refreshing;
}

export async function accessToken(): Promise<string | null> {
  const s = loadSession();
  if (!s) return null;
  if (Date.now() < s.refreshAt) return s.accessToken;

  return (await refreshSession())?.accessToken ?? null;
}

async function problemOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const p = JSON.parse(text) as { code?: string; title?: string; detail?: string };

    return new ApiError(res.status, p.code ?? 'ERROR', p.title ?? res.statusText, p.detail ?? '');
  } catch {
    return new ApiError(res.status, 'ERROR', res.statusText, text.slice(0, 200));
  }
}

type Opts = { headers?: Record<string, string>; raw?: BodyInit; signal?: AbortSignal };

/** fetch against the hub with the session's token; one retry after a refresh on 401. */
export async function apiFetch(method: string, path: string, body?: unknown, o: Opts = {}) {
  const send = async (token: string | null) =>
    fetch(`${API}${path}`, {
      method,
      signal: o.signal,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'accept-language': document.documentElement.lang || 'vi',
        ...o.headers,
      },
      body: o.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  let res = await send(await accessToken());
  if (res.status === 401 && loadSession()) {
    const s = await refreshSession();
    if (s) res = await send(s.accessToken);
  }
  if (!res.ok) throw await problemOf(res);

  return res;
}

export async function api<T>(method: string, path: string, body?: unknown, o?: Opts): Promise<T> {
  const res = await apiFetch(method, path, body, o);
  if (res.status === 204) return undefined as T;

  return (await res.json()) as T;
}

type Args<E> =
  Record<string, never> extends CallInput<E>
    ? [input?: CallInput<E>, o?: Opts]
    : [input: CallInput<E>, o?: Opts];

/** Calls a route of the contract: its path, query and body as declared, its answer typed. */
export function call<E extends ApiEndpoint>(e: E, ...[input, o]: Args<E>): Promise<AnswerOf<E>> {
  return api<AnswerOf<E>>(e.method, urlOf(e, input), input?.body, o);
}

/** A link the hub gave to a route of the contract (a figure's drill-down), with more query. */
export function follow<E extends ApiEndpoint>(
  e: E,
  link: string,
  more: Record<string, string | number>,
): Promise<AnswerOf<E>> {
  const url = new URL(link, location.origin);
  const path = url.pathname.replace(API, '');
  if (path !== urlOf(e)) throw new Error(`${link} is no link to ${e.base}${e.path}`);
  for (const [k, v] of Object.entries(more)) url.searchParams.set(k, String(v));

  return api<AnswerOf<E>>(e.method, `${path}${url.search}`);
}

/** The raw response of a route (a file, or CSV), for the caller to read. */
export function fetchOf<E extends ApiEndpoint>(e: E, ...[input, o]: Args<E>): Promise<Response> {
  return apiFetch(e.method, urlOf(e, input), input?.body, o);
}

export function query(params: Record<string, string | number | boolean | undefined | null>) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();

  return s ? `?${s}` : '';
}

/** Multipart upload through XMLHttpRequest: fetch cannot report upload progress. */
export async function uploadWithProgress<E extends ApiEndpoint>(
  e: E,
  form: FormData,
  onProgress: (percent: number) => void,
): Promise<AnswerOf<E>> {
  const token = await accessToken();

  return new Promise<AnswerOf<E>>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(e.method, `${API}${urlOf(e)}`);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'Lỗi mạng', 'Không gửi được tệp.'));
    xhr.onload = () => {
      let p: Record<string, string> = {};
      try {
        p = JSON.parse(xhr.responseText) as Record<string, string>;
      } catch {
        /* not JSON: handled below */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(p as AnswerOf<E>);
      } else {
        reject(
          new ApiError(xhr.status, p.code ?? 'ERROR', p.title ?? '', p.detail ?? xhr.statusText),
        );
      }
    };
    xhr.send(form);
  });
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await fetch(`${API}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw await problemOf(res);

  return saveTokens((await res.json()) as TTokens);
}

export async function logout(): Promise<void> {
  const s = loadSession();
  clearSession();
  if (s) {
    await fetch(`${API}/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    }).catch(() => undefined);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.detail || e.title;

  return e instanceof Error ? e.message : String(e);
}

/** Fetches a file with the session's token and hands it to the browser as a download. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const res = await apiFetch('GET', path);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
