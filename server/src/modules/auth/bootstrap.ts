import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HubContext } from '../../context.js';
import { rootAgency } from '../orgs/index.js';
import { HUB_ORG_CODE } from '../../contracts/grants.js';
import { hashPassword } from './passwords.js';
import { Users } from './user.model.js';

export { HUB_ORG_CODE } from '../../contracts/grants.js';

/**
 * On the very first start there is nobody to log in as. Create the hub's own organization and a
 * hub admin whose generated password goes to a 0600 file in DATA_DIR, never to the log.
 */
export async function bootstrapHubAdmin(ctx: HubContext): Promise<void> {
  try {
    await createFirstAdmin(ctx);
  } catch (err) {
    // Another hub node starting on the same empty database did it first.
    if ((err as { code?: number }).code !== 11000) throw err;
  }
}

async function createFirstAdmin(ctx: HubContext): Promise<void> {
  if (await Users(ctx.db.conn).exists({})) return;
  const name = 'Trục liên thông văn bản LiênThông';
  const org = await rootAgency(ctx, HUB_ORG_CODE, name);
  const password = randomBytes(12).toString('base64url');
  await Users(ctx.db.conn).create({
    orgId: org._id,
    username: 'admin',
    fullName: 'Quản trị trục',
    roles: ['hub_admin'],
    passwordHash: await hashPassword(password),
  });
  const dir = join(ctx.config.dataDir, 'secrets');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'initial-admin.txt');
  writeFileSync(file, `username: admin\npassword: ${password}\n`, { mode: 0o600 });
  ctx.log.info({ file }, 'created the first hub admin; the password is in this file');
}
