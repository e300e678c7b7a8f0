import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import type { HubContext } from '../context.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { closeContext, createContext } from '../hub.js';
import { seed } from '../seed/seed.js';
import { printSyntheticProgress, printSyntheticReport } from '../seed/synthetic-print.js';
import { MAX_SYNTHETIC, SyntheticRefused, seedSynthetic } from '../seed/synthetic.js';

type SeedOptions = { synthetic?: number; seed?: number; until?: string; force?: boolean };

async function openContext(): Promise<HubContext> {
  try {
    return await createContext(loadConfig({ LOG_LEVEL: 'warn', ...process.env }));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
      process.stderr.write(`lienthong seed: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function demo(ctx: HubContext): Promise<void> {
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
}

/** The history ends at the end of `until` (a past day), or now. */
function clockOf(until: string | undefined): Date {
  const now = new Date();
  if (!until) return now;
  const end = new Date(new Date(`${until}T00:00:00+07:00`).getTime() + 86_400_000 - 1);

  return end < now ? end : now;
}

async function synthetic(ctx: HubContext, o: SeedOptions & { synthetic: number }): Promise<void> {
  const report = await seedSynthetic(ctx, {
    deliveries: o.synthetic,
    seed: o.seed ?? 1,
    now: clockOf(o.until),
    force: o.force ?? false,
    onProgress: printSyntheticProgress(process.stdout),
  });
  printSyntheticReport(process.stdout, report);
}

async function run(o: SeedOptions): Promise<void> {
  const ctx = await openContext();
  try {
    if (o.synthetic === undefined) await demo(ctx);
    else await synthetic(ctx, { ...o, synthetic: o.synthetic });
  } catch (err) {
    if (!(err instanceof SyntheticRefused)) throw err;
    process.stderr.write(`lienthong seed: ${err.message}\n`);
    process.exitCode = 1;
  } finally {
    await closeContext(ctx);
  }
}

function integer(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v.replace(/[_.,\s]/g, ''));
    if (!Number.isInteger(n) || n < 0 || n > max)
      throw new InvalidArgumentError(`${name} phải là số nguyên từ 0 đến ${max}.`);

    return n;
  };
}

function day(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00+07:00`)))
    throw new InvalidArgumentError('ngày theo dạng YYYY-MM-DD.');

  return v;
}

export function seedCommand(): Command {
  return new Command('seed')
    .description(
      'Tạo dữ liệu mẫu Thanh Hóa (cơ quan, người dùng mọi vai trò, chứng thư số); với --synthetic N: lịch sử tổng hợp 500 cơ quan và N lần chuyển văn bản trong hai năm, để thử và đo thống kê',
    )
    .option(
      '--synthetic <n>',
      'số lần chuyển văn bản (delivery) tổng hợp cần tạo',
      integer('--synthetic', MAX_SYNTHETIC),
    )
    .option(
      '--seed <n>',
      'hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)',
      integer('--seed', 2 ** 31),
    )
    .option('--until <YYYY-MM-DD>', 'ngày cuối của lịch sử (mặc định: hôm nay)', day)
    .option('--force', 'cho phép tạo khi cơ sở dữ liệu đã có dữ liệu thật')
    .action(run);
}
