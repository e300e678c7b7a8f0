import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { TRole } from '../../../server/src/contracts/common';
import { EventStream } from './events';
import { loadSession, onSession, type Session } from './session';

type Ctx = {
  session: Session | null;
  events: EventStream | null;
  hasRole: (...r: TRole[]) => boolean;
};
const AuthContext = createContext<Ctx>({ session: null, events: null, hasRole: () => false });

/** The logged-in user and, while logged in, one event stream for the whole app. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  useEffect(() => onSession(setSession), []);
  const orgId = session?.user.orgId ?? null;
  const events = useMemo(() => (orgId ? new EventStream(orgId) : null), [orgId]);
  useEffect(() => {
    events?.start();

    return () => events?.stop();
  }, [events]);
  const roles = session?.user.roles;
  const value = useMemo<Ctx>(
    () => ({
      session,
      events,
      hasRole: (...r) => (roles ?? []).some((x) => r.includes(x)),
    }),
    [session, events, roles],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Ctx {
  return useContext(AuthContext);
}

export function useLive(): boolean {
  const { events } = useAuth();
  const [live, setLive] = useState(events?.connected ?? false);
  useEffect(() => {
    setLive(events?.connected ?? false);

    return events?.onStatus(setLive);
  }, [events]);

  return live;
}
