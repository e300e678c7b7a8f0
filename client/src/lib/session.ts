import type { TTokens, TUser } from '../../../server/src/contracts/auth';

export type Session = {
  accessToken: string;
  refreshToken: string;
  /** epoch ms after which the access token is refreshed before use */
  refreshAt: number;
  user: TUser;
};

const KEY = 'lt.session';
type Listener = (s: Session | null) => void;
const listeners = new Set<Listener>();

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);

    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveTokens(t: TTokens): Session {
  // refresh a minute early so a request never leaves with a token about to expire
  const s: Session = {
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    refreshAt: Date.now() + Math.max(10, t.expiresIn - 60) * 1000,
    user: t.user,
  };
  localStorage.setItem(KEY, JSON.stringify(s));
  for (const l of listeners) l(s);

  return s;
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
  for (const l of listeners) l(null);
}

export function onSession(l: Listener): () => void {
  listeners.add(l);

  return () => listeners.delete(l);
}
