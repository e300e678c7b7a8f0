import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { closeContext, createContext } from '../hub.js';
import { seed } from '../seed/seed.js';

async function run(): Promise<void> {
  let ctx;
  try {
    ctx = await createContext(loadConfig({ LOG_LEVEL: 'warn', ...process.env }));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
      process.stderr.write(`lienthong seed: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  try {
    const r = await seed(ctx);
    const out = process.stdout;
    out.write(
      `Đã tạo ${r.created.orgs} cơ quan, ${r.created.users} người dùng, ${r.created.certificates} chứng thư số.\n\n`,
    );
    out.write('Tài khoản (tên đăng nhập — cơ quan — vai trò):\n');
    for (const u of r.users)
      out.write(
        `  ${u.username.padEnd(22)} ${u.org} — ${u.roles.join(', ')}${u.isNew ? '' : ' (đã có)'}\n`,
      );
    out.write(
      r.password
        ? `\nMật khẩu của các tài khoản mới: ${r.password}\n(chỉ hiển thị lần này; tài khoản quản trị trục: xem ${ctx.config.dataDir}/secrets/initial-admin.txt)\n`
        : '\nKhông có tài khoản mới; mật khẩu cũ giữ nguyên.\n',
    );
  } finally {
    await closeContext(ctx);
  }
}

export function seedCommand(): Command {
  return new Command('seed')
    .description('Tạo dữ liệu mẫu Thanh Hóa (cơ quan, người dùng mọi vai trò, chứng thư số)')
    .action(run);
}
