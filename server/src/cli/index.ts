/**
 * `lienthong`: only the requested subcommand's module is loaded (its imports are the heavy part:
 * the validator, the signer, the hub); the others appear in the help as one-line stubs, so
 * `--version` and `--help` load commander and nothing else.
 */
import { Command } from 'commander';

type Entry = { summary: string; load: () => Promise<Command> };

const COMMANDS: Record<string, Entry> = {
  serve: {
    summary: 'Chạy máy chủ LiênThông (REST, Socket.IO, /pki, giao diện web)',
    load: async () => (await import('./serve.js')).serveCommand(),
  },
  seed: {
    summary: 'Tạo dữ liệu mẫu (cơ quan, người dùng, chứng thư số; --synthetic N: lịch sử tổng hợp)',
    load: async () => (await import('./seed.js')).seedCommand(),
  },
  certs: {
    summary: 'Quản lý PKI của trục (hệ thống chứng thư dev/test)',
    load: async () => (await import('./certs.js')).certsCommand(),
  },
  sign: {
    summary: 'Ký số PAdES một hoặc nhiều tệp PDF bằng khóa PKCS#12',
    load: async () => (await import('./sign.js')).signCommand(),
  },
  verify: {
    summary: 'Kiểm tra chữ ký PAdES của tệp PDF, thư mục PDF (nhiều tệp mỗi lần gọi)',
    load: async () => (await import('./verify.js')).verifyCommand(),
  },
  edxml: {
    summary: 'Gói edXML (QCVN 102): xuất một lần gửi, nhập một gói',
    load: async () => (await import('./edxml.js')).edxmlCommand(),
  },
};

/** The subcommand the arguments name (`lienthong verify …`, `lienthong help verify`). */
function requested(argv: string[]): string | undefined {
  const [first, second] = argv.slice(2);
  return first === 'help' ? second : first;
}

export async function program(argv: string[]): Promise<Command> {
  const wanted = requested(argv);
  const root = new Command('lienthong')
    .description('LiênThông — trục liên thông văn bản và ký số PAdES')
    .version('0.1.0');
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = name === wanted ? await entry.load() : new Command(name);
    root.addCommand(command.summary(entry.summary));
  }

  return root;
}

await (await program(process.argv)).parseAsync(process.argv);
