/** Human-readable rendering of a report, Vietnamese by default, for the CLI and logs. */
import type { TMessage, TSignatureReport, TValidationReport } from './report.schemas.js';

export type Lang = 'vi' | 'en';

const LABELS = {
  vi: {
    TOTAL_PASSED: 'HỢP LỆ',
    TOTAL_FAILED: 'KHÔNG HỢP LỆ',
    INDETERMINATE: 'CHƯA XÁC ĐỊNH',
    signature: 'Chữ ký',
    timestamp: 'Dấu thời gian tài liệu',
    signer: 'Người ký',
    org: 'Tổ chức',
    serial: 'Số hiệu chứng thư',
    issuer: 'Nơi cấp',
    claimed: 'Thời điểm ký (khai báo)',
    proven: 'Thời điểm ký (chứng minh)',
    level: 'Mức',
    trustList: 'Danh sách tin cậy',
    covers: 'Phạm vi',
    whole: 'toàn bộ tài liệu',
    revision: 'phiên bản {a}/{b}',
    changes: 'Thay đổi sau khi ký',
    warn: 'Cảnh báo',
    file: 'Tệp',
    none: 'không có',
    allowed: 'được phép',
    notAllowed: 'KHÔNG được phép',
    page: 'trang',
    object: 'đối tượng',
  },
  en: {
    TOTAL_PASSED: 'VALID',
    TOTAL_FAILED: 'INVALID',
    INDETERMINATE: 'INDETERMINATE',
    signature: 'Signature',
    timestamp: 'Document time-stamp',
    signer: 'Signer',
    org: 'Organization',
    serial: 'Certificate serial',
    issuer: 'Issuer',
    claimed: 'Signing time (claimed)',
    proven: 'Signing time (proven)',
    level: 'Level',
    trustList: 'Trust list',
    covers: 'Coverage',
    whole: 'whole document',
    revision: 'revision {a}/{b}',
    changes: 'Changes after signing',
    warn: 'Warning',
    file: 'File',
    none: 'none',
    allowed: 'allowed',
    notAllowed: 'NOT allowed',
    page: 'page',
    object: 'object',
  },
} as const;

export function messageText(m: TMessage, lang: Lang): string {
  return m[lang];
}

function signatureBlock(s: TSignatureReport, i: number, lang: Lang): string[] {
  const L = LABELS[lang];
  const lines = [
    `${i + 1}. ${s.type === 'DOC_TIMESTAMP' ? L.timestamp : L.signature} "${s.fieldName}": ${L[s.indication]}${s.subIndication ? ` (${s.subIndication})` : ''}`,
  ];
  const kv = (k: string, v: string | null | undefined): void => {
    if (v) lines.push(`   ${k}: ${v}`);
  };
  kv(L.signer, s.signer?.commonName ?? s.signer?.subject);
  kv(L.org, [s.signer?.organization, s.signer?.organizationIdentifier].filter(Boolean).join(' / '));
  kv(L.serial, s.signer?.serial);
  kv(L.issuer, s.signer?.issuer);
  kv(L.claimed, s.claimedTime);
  kv(L.proven, s.provenTime);
  kv(L.level, s.level);
  kv(L.trustList, s.trustList);
  kv(
    L.covers,
    s.coversWholeDocument
      ? L.whole
      : L.revision
          .replace('{a}', String(s.coveredRevision ?? '?'))
          .replace('{b}', String(s.totalRevisions)),
  );
  for (const m of s.messages) lines.push(`   - ${m[lang]}`);
  for (const m of s.warnings) lines.push(`   ! ${L.warn}: ${m[lang]}`);
  const bad = s.modifications.filter((m) => !m.allowed);
  if (s.modifications.length > 0)
    lines.push(`   ${L.changes}: ${s.modifications.length} (${bad.length} ${L.notAllowed})`);
  for (const m of bad) {
    const where = [
      m.objectNumber !== null ? `${L.object} ${m.objectNumber}` : null,
      m.page !== null ? `${L.page} ${m.page}` : null,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `     x ${m.kind} ${m.change}${where ? ` (${where})` : ''}${m.attack ? ` [${m.attack}]` : ''}: ${m.detail}`,
    );
  }
  return lines;
}

export function formatReport(report: TValidationReport, lang: Lang, fileName?: string): string {
  const L = LABELS[lang];
  const lines: string[] = [];
  if (fileName) lines.push(`${L.file}: ${fileName}`);
  for (const m of report.document.messages) lines.push(m[lang]);
  report.signatures.forEach((s, i) => lines.push(...signatureBlock(s, i, lang)));
  return `${lines.join('\n')}\n`;
}
