import { ConfigError, loadConfig } from '../config/config.js';
import type { HubContext } from '../context.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { closeContext, createContext } from '../hub.js';
import { HUB_ORG_CODE } from '../modules/auth/index.js';
import type { Principal } from '../http/principal.js';
import { findOrg } from '../modules/orgs/index.js';

/**
 * Runs an operator command against the hub's database (the running hub's engine when there is
 * one on this DATA_DIR), as the hub itself. Errors a person can act on end with one line and
 * exit code 2; the database is always closed.
 */
export async function asOperator(
  name: string,
  fn: (ctx: HubContext, operator: Principal) => Promise<void>,
): Promise<void> {
  let ctx: HubContext;
  try {
    ctx = await createContext(loadConfig({ LOG_LEVEL: 'warn', ...process.env }));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
      process.stderr.write(`lienthong ${name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  try {
    const hubOrg = await findOrg(ctx, { code: HUB_ORG_CODE });
    const operator: Principal = {
      kind: 'user',
      id: '000000000000000000000000',
      orgId: String(hubOrg?._id ?? '000000000000000000000000'),
      roles: ['hub_admin'],
      name: `lienthong ${name}`,
    };
    await fn(ctx, operator);
  } catch (err) {
    const e = err as { code?: string; detail?: string; message?: string };
    if (typeof e.code === 'string') {
      process.stderr.write(`lienthong ${name}: ${e.detail ?? e.message ?? ''} (${e.code})\n`);
      process.exitCode = 2;
    } else throw err;
  } finally {
    await closeContext(ctx);
  }
}
