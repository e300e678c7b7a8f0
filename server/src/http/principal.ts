import type { TRole } from '../contracts/common.js';

/** Who is calling: a person or an agency system's API key, always inside one organization. */
export type Principal = {
  kind: 'user' | 'api-key';
  id: string;
  orgId: string;
  roles: TRole[];
  name: string;
  /** A user's login session; API keys have none. */
  sessionId?: string;
};

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function hasRole(p: Principal, ...roles: TRole[]): boolean {
  return p.roles.some((r) => roles.includes(r));
}
