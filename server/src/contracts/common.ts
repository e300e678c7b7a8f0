import { z, ZodDefault, ZodEffects, ZodOptional, ZodString, type ZodTypeAny } from 'zod';

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

/** A page of a list by id, after the `cursor` (the last id of the previous page). */
export const ZIdPage = z.object({
  cursor: z
    .string()
    .regex(/^[0-9a-f]{24}$/, 'con trỏ trang không hợp lệ')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type Page<T> = { items: T[]; nextCursor: string | null };

/** The longest text a schema accepts (through trims, defaults and optionals), for forms. */
export function maxLengthOf(schema: ZodTypeAny): number | undefined {
  let s = schema;
  for (;;) {
    if (s instanceof ZodEffects) s = s.innerType();
    else if (s instanceof ZodOptional || s instanceof ZodDefault) s = s._def.innerType;
    else break;
  }

  return s instanceof ZodString ? (s.maxLength ?? undefined) : undefined;
}
