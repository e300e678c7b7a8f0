import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const ZLogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const ZPort = z.coerce
  .number({ invalid_type_error: 'phải là số' })
  .int('phải là số nguyên')
  .min(0, 'phải từ 0 đến 65535')
  .max(65535, 'phải từ 0 đến 65535');

const ZUrl = (protocols: string[]) =>
  z
    .string()
    .url('không phải URL hợp lệ')
    .refine((u) => protocols.some((p) => u.startsWith(p)), {
      message: `phải bắt đầu bằng ${protocols.join(' hoặc ')}`,
    });

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One `trust proxy` entry: a name express knows, an address, or an address/prefix. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [addr = '', prefix, ...rest] = entry.split('/');
  const family = isIP(addr);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;

  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies may set X-Forwarded-For: unset trusts none (req.ip is the socket's address); a
 * hop count ("1"), or a comma list of loopback/linklocal/uniquelocal, addresses and CIDRs. `true`
 * (trust anything) is refused: behind it every caller picks its own address.
 */
const ZTrustProxy = z
  .string()
  .transform((v) => v.trim())
  .superRefine((v, c) => {
    if (/^\d+$/.test(v) || v.split(',').every((e) => isProxyEntry(e.trim()))) return;
    c.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        'phải là số proxy phía trước (vd. 1) hoặc danh sách loopback, linklocal, uniquelocal, địa chỉ IP, CIDR cách nhau bởi dấu phẩy',
    });
  })
  .transform((v): number | string[] =>
    /^\d+$/.test(v) ? Number(v) : v.split(',').map((e) => e.trim()),
  );

/** The environment the hub reads, validated once at start. */
export const ZEnv = z.object({
  PORT: ZPort.default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: ZUrl(['mongodb://', 'mongodb+srv://']).optional(),
  LOG_LEVEL: ZLogLevel.default('info'),
  REDIS_URL: ZUrl(['redis://', 'rediss://']).optional(),
  PUBLIC_URL: ZUrl(['http://', 'https://']).optional(),
  LIENTHONG_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'phải là 64 ký tự hex (32 byte)')
    .optional(),
  PKI_DIR: z.string().min(1).optional(),
  TRUST_DIR: z.string().min(1).optional(),
  /** The national trust lists shipped in certs/ (VGCA, NEAC): on unless set to off. */
  NATIONAL_TRUST: z.enum(['on', 'off'], { message: 'phải là on hoặc off' }).default('on'),
  JWT_SECRET: z.string().min(32, 'phải dài ít nhất 32 ký tự').optional(),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'phải là cỡ dữ liệu như 1mb, 512kb')
    .default('1mb'),
  UPLOAD_LIMIT_MB: z.coerce.number().int().min(1).max(1024).default(50),
  TRUST_PROXY: ZTrustProxy.optional(),
  /** Prometheus' bearer_token for GET /metrics; hub_admin credentials work without it. */
  METRICS_TOKEN: z.string().min(32, 'phải dài ít nhất 32 ký tự').optional(),
});
export type TEnv = z.infer<typeof ZEnv>;

export type Config = TEnv & { dataDir: string; publicUrl: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cấu hình không hợp lệ:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; lists every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blanksRemoved = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = ZEnv.safeParse(blanksRemoved);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const cfg = parsed.data;
  const publicUrl = (cfg.PUBLIC_URL ?? `http://${cfg.HOST}:${cfg.PORT}`).replace(/\/+$/, '');

  return { ...cfg, dataDir: path.resolve(cfg.DATA_DIR), publicUrl };
}
