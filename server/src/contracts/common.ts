import { z } from 'zod';

/** Roles, as the product names them. */
export const ROLES = [
  'hub_admin',
  'org_admin',
  'clerk',
  'signer',
  'enterprise_user',
  'auditor',
] as const;
export const ZRole = z.enum(ROLES);
export type TRole = z.infer<typeof ZRole>;

export const ZObjectId = z.string().regex(/^[0-9a-f]{24}$/, 'mã định danh không hợp lệ');

/** A calendar day, YYYY-MM-DD. */
export const ZIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày theo dạng YYYY-MM-DD');

/** Text stored as UTF-8 NFC, trimmed. */
export const ZText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'không được để trống')
    .max(max, `tối đa ${max} ký tự`)
    .transform((s) => s.normalize('NFC'));

export const ZCursorQuery = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export type Page<T> = { items: T[]; nextCursor: string | null };
