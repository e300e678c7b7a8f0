import { randomBytes } from 'node:crypto';
import type { TTokens } from '../../server/src/contracts/auth.js';
import type { TRole } from '../../server/src/contracts/common.js';
import type { TOrg, TOrgCreate } from '../../server/src/contracts/orgs.js';
import type { HubContext } from '../../server/src/context.js';
import type { Hub } from '../../server/src/hub.js';
import { hashPassword } from '../../server/src/modules/auth/passwords.js';
import { Users } from '../../server/src/modules/auth/user.model.js';
import { createOrg } from '../../server/src/modules/orgs/orgs.service.js';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { ZDocumentMeta, type TDocumentMeta } from '../../server/src/contracts/documents.js';
import { createDocument } from '../../server/src/modules/documents/create-document.js';
import { API, call } from './call.js';

const uniq = () => randomBytes(4).toString('hex');

/** A fresh organization per test: no truncation needed, nothing shared between tests. */
export async function makeOrg(ctx: HubContext, over: Partial<TOrgCreate> = {}): Promise<TOrg> {
  return createOrg(ctx, {
    code: `000.00.${uniq().slice(0, 2)}.H${uniq().slice(0, 4)}`,
    name: `UBND xã Thử Nghiệm ${uniq()}`,
    kind: 'agency',
    level: 'commune',
    contact: {},
    ...over,
  });
}

export const TEST_PASSWORD = 'Mật-khẩu-thử-2026';
let passwordHash: Promise<string> | undefined;

export type TestUser = {
  id: string;
  orgId: string;
  username: string;
  roles: TRole[];
  token: string;
};

export async function makeUser(
  hub: Hub,
  org: TOrg,
  roles: TRole[],
  fullName = 'Nguyễn Văn Thử',
): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const username = `u${uniq()}`;
  const doc = await Users(hub.ctx.db.conn).create({
    orgId: org.id,
    username,
    fullName,
    roles,
    passwordHash: await passwordHash,
  });
  const tokens = await loginAs(hub, username);

  return { id: String(doc._id), orgId: org.id, username, roles, token: tokens.accessToken };
}

export async function loginAs(
  hub: Hub,
  username: string,
  password = TEST_PASSWORD,
): Promise<TTokens> {
  const res = await fetch(`${hub.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);

  return (await res.json()) as TTokens;
}

/** fetch with the user's token and JSON in/out. */
export function api(hub: Hub, token?: string) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${hub.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }

    return {
      status: res.status,
      body: json as Record<string, unknown> & { code?: string },
      headers: res.headers,
    };
  };
}

/** A small real PDF made with pdf-lib (Latin text; enough for exchange tests). */
export async function tinyPdf(text = 'Cong van so 123'): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText(text, {
    x: 72,
    y: 770,
    size: 14,
    font: await pdf.embedFont(StandardFonts.TimesRoman),
  });

  return pdf.save();
}

export async function makeDocument(
  hub: Hub,
  user: TestUser,
  over: Partial<TDocumentMeta> = {},
  file?: { bytes: Uint8Array; originalName: string },
) {
  const meta = ZDocumentMeta.parse({
    type: 'Công văn',
    notation: 'UBND-VP',
    issuePlace: 'Thanh Hóa',
    issueDate: '2026-11-28',
    subject: 'V/v triển khai chuyển đổi số tại huyện Hoằng Hóa',
    urgency: 'khan',
    signer: { fullName: 'Nguyễn Văn Tỉnh', position: 'Chủ tịch' },
    ...over,
  });

  return createDocument(
    hub.ctx,
    { kind: 'user', id: user.id, orgId: user.orgId, roles: user.roles, name: 'Văn thư' },
    meta,
    file ?? { bytes: await tinyPdf(), originalName: 'cong-van.pdf' },
  );
}

/** What a test's Công văn of the UBND-VP, signed by a Chủ tịch, says besides the fixed fields. */
export type CongVanMeta = {
  issuePlace: string;
  issueDate: string;
  subject: string;
  signerName: string;
};

/** The multipart body of POST /api/v1/documents for such a Công văn with the PDF `pdf`. */
export function congVanForm(meta: CongVanMeta, pdf: Uint8Array): FormData {
  const form = new FormData();
  form.append(
    'meta',
    JSON.stringify({
      type: 'Công văn',
      notation: 'UBND-VP',
      issuePlace: meta.issuePlace,
      issueDate: meta.issueDate,
      subject: meta.subject,
      signer: { fullName: meta.signerName, position: 'Chủ tịch' },
    }),
  );
  form.append('file', new Blob([pdf]), 'cong-van.pdf');

  return form;
}

/** Signs `documentId` with the organization's first seal certificate (the user must hold one). */
export async function sealDocument(
  hub: Hub,
  user: TestUser,
  documentId: string,
  level: 'B-T' | 'B-LT',
) {
  const certs = (await call(hub, user.token)(API.certificates.list, { query: { kind: 'seal' } }))
    .body;
  const signed = await call(hub, user.token)(API.signing.sign, {
    params: { id: documentId },
    body: { certificateId: certs[0]!.id, kind: 'seal', level, confirmPassword: TEST_PASSWORD },
  });
  if (signed.status !== 201) throw new Error(`sealing failed: ${JSON.stringify(signed.body)}`);

  return signed.body;
}
