import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { TRole } from '../../contracts/common.js';
import type { Principal } from '../../http/principal.js';

export const ACCESS_TTL_S = 15 * 60;
export const REFRESH_TTL_S = 7 * 24 * 3600;
const ISSUER = 'lienthong';

export type AccessClaims = { sub: string; org: string; roles: TRole[]; name: string; sid: string };

/** An access token is bound to its login session (`sid`): it dies with the session. */
export async function issueAccessToken(
  secret: Buffer,
  p: Principal & { sessionId: string },
): Promise<string> {
  return new SignJWT({ org: p.orgId, roles: p.roles, name: p.name, sid: p.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(p.id)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_S}s`)
    .sign(secret);
}

export type AccessToken = { principal: Principal & { sessionId: string }; expiresAt: number };

/**
 * Verifies signature, issuer and expiry; returns null for anything forged, expired or malformed.
 * Whether its session is still live is the caller's question (`sessionIsLive`).
 */
export async function verifyAccessToken(
  secret: Buffer,
  token: string,
): Promise<AccessToken | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] });
    const c = payload as unknown as AccessClaims;
    if (typeof c.sub !== 'string' || typeof c.org !== 'string' || !Array.isArray(c.roles))
      return null;
    if (typeof c.sid !== 'string' || typeof payload.exp !== 'number') return null;

    return {
      principal: {
        kind: 'user',
        id: c.sub,
        orgId: c.org,
        roles: c.roles,
        name: String(c.name ?? ''),
        sessionId: c.sid,
      },
      expiresAt: payload.exp * 1000,
    };
  } catch {
    return null;
  }
}

export function newOpaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
