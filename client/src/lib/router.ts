import { useEffect, useState } from 'react';

/** A tiny history router: the app has a handful of screens and no nested layouts. */
export type Route =
  | { name: 'login' }
  | { name: 'inbox' }
  | { name: 'outbox' }
  | { name: 'compose' }
  | { name: 'document'; id: string; delivery?: string }
  | { name: 'verify' }
  | { name: 'dashboard' }
  | { name: 'certificates' }
  | { name: 'orgs' }
  | { name: 'users' }
  | { name: 'apiKeys' }
  | { name: 'drafts' }
  | { name: 'toSign' }
  | { name: 'toRelease' }
  | { name: 'notFound' };

/** Paths of the screens reachable from the menu (the document view is reached by a link). */
export const PATHS = {
  inbox: '/inbox',
  outbox: '/outbox',
  compose: '/compose',
  verify: '/verify',
  dashboard: '/dashboard',
  certificates: '/certificates',
  orgs: '/admin/orgs',
  users: '/admin/users',
  apiKeys: '/admin/api-keys',
  drafts: '/workflow/drafts',
  toSign: '/workflow/to-sign',
  toRelease: '/workflow/to-release',
} as const;
export type MenuRoute = keyof typeof PATHS;

export function parseRoute(pathname: string, search: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(search);
  if (p === '/' || p === '/inbox') return { name: 'inbox' };
  if (p === '/login') return { name: 'login' };
  if (p === '/outbox') return { name: 'outbox' };
  if (p === '/compose') return { name: 'compose' };
  if (p === '/verify') return { name: 'verify' };
  if (p === '/dashboard') return { name: 'dashboard' };
  if (p === '/certificates') return { name: 'certificates' };
  if (p === '/admin/orgs') return { name: 'orgs' };
  if (p === '/admin/users') return { name: 'users' };
  if (p === '/admin/api-keys') return { name: 'apiKeys' };
  if (p === '/workflow/drafts') return { name: 'drafts' };
  if (p === '/workflow/to-sign') return { name: 'toSign' };
  if (p === '/workflow/to-release') return { name: 'toRelease' };
  const doc = /^\/documents\/([0-9a-f]{24})$/.exec(p);
  if (doc) return { name: 'document', id: doc[1]!, delivery: params.get('delivery') ?? undefined };

  return { name: 'notFound' };
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useRoute(): Route {
  const read = () => parseRoute(location.pathname, location.search);
  const [route, setRoute] = useState<Route>(read);
  useEffect(() => {
    const update = () => setRoute(read());
    listeners.add(update);
    window.addEventListener('popstate', update);

    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);

  return route;
}

/** Props for an <a> that navigates inside the app but stays a real link (middle click, a11y). */
export function linkProps(to: string) {
  return {
    href: to,
    onClick: (e: React.MouseEvent) => {
      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(to);
    },
  };
}
