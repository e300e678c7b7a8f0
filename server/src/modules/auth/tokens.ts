import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { TRole } from '../../contracts/common.js';
import type { Principal } from './principal.js';

export const ACCESS_TTL_S = 15 * 60;
export const REFRESH_TTL_S = 7 * 24 * 3600;
const ISSUER = 'lienthong';

export type AccessClaims = { sub: string; org: string; roles: TRole[]; name: string };

export async function issueAccessToken(secret: Buffer, p: Principal): Promise<string> {
  return new SignJWT({ org: p.orgId, roles: p.roles, name: p.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(p.id)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_S}s`)
    .sign(secret);
}

/** Verifies signature, issuer and expiry; returns null for anything forged, expired or malformed. */
export async function verifyAccessToken(secret: Buffer, token: string): Promise<Principal | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] });
    const c = payload as unknown as AccessClaims;
    if (typeof c.sub !== 'string' || typeof c.org !== 'string' || !Array.isArray(c.roles))
      return null;

    return { kind: 'user', id: c.sub, orgId: c.org, roles: c.roles, name: String(c.name ?? '') };
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
