/** What `lienthong verify` prints per file and at the end: summary lines, JSON Lines, tally. */
import type { Lang } from '../lib/validation/format.js';
import type { TValidationReport } from '../lib/validation/report.schemas.js';
import type { Outcome } from './verify-file.js';

export type Verdict = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE' | 'UNREADABLE';

const WORDS = {
  vi: {
    TOTAL_PASSED: 'HỢP LỆ',
    TOTAL_FAILED: 'KHÔNG HỢP LỆ',
    INDETERMINATE: 'CHƯA XÁC ĐỊNH',
    UNREADABLE: 'KHÔNG ĐỌC ĐƯỢC',
    signatures: 'chữ ký',
    total: 'Tổng cộng {n} tệp',
    tally: ['hợp lệ', 'không hợp lệ', 'chưa xác định', 'không đọc được'],
  },
  en: {
    TOTAL_PASSED: 'VALID',
    TOTAL_FAILED: 'INVALID',
    INDETERMINATE: 'INDETERMINATE',
    UNREADABLE: 'UNREADABLE',
    signatures: 'signature(s)',
    total: 'Total {n} files',
    tally: ['valid', 'invalid', 'indeterminate', 'unreadable'],
  },
} as const;

const VERDICTS: Verdict[] = ['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE', 'UNREADABLE'];
const LABEL_WIDTH = Math.max(
  ...Object.values(WORDS).flatMap((w) => VERDICTS.map((v) => w[v].length)),
);

export function verdictOf(outcome: Outcome): Verdict {
  if ('error' in outcome) return 'UNREADABLE';
  const d = outcome.report.document;
  if (d.allValid) return 'TOTAL_PASSED';

  return d.failed > 0 ? 'TOTAL_FAILED' : 'INDETERMINATE';
}

/** Who signed, and for a file that does not pass, the first reason a signature gives. */
function details(report: TValidationReport, lang: Lang): string {
  const count = `${report.signatures.length} ${WORDS[lang].signatures}`;
  if (report.signatures.length === 0) return report.document.messages[0]?.[lang] ?? count;
  const signers = [...new Set(report.signatures.map((s) => s.signer?.commonName).filter(Boolean))];
  const bad = report.signatures.find((s) => s.indication !== 'TOTAL_PASSED');
  const attack = bad?.modifications.find((m) => !m.allowed && m.attack)?.attack;
  const why = bad ? (attack ?? bad.subIndication ?? bad.indication) : undefined;

  return [`${count}: ${signers.join(', ') || '?'}`, why].filter(Boolean).join('; ');
}

/** One line per file: verdict, path, signers or the reason it could not be read. */
export function summaryLine(file: string, outcome: Outcome, lang: Lang): string {
  const label = WORDS[lang][verdictOf(outcome)].padEnd(LABEL_WIDTH);
  const rest =
    'error' in outcome
      ? `${outcome.error.code}: ${outcome.error.message.split('\n')[0]}`
      : details(outcome.report, lang);

  return `${label}  ${file} — ${rest}\n`;
}

/** JSON Lines: the report with the file it is about, or the error for that file. */
export function jsonLine(file: string, outcome: Outcome): string {
  return `${JSON.stringify('error' in outcome ? { file, error: outcome.error } : { file, ...outcome.report })}\n`;
}

export type Tally = Record<Verdict, number>;

export function emptyTally(): Tally {
  return { TOTAL_PASSED: 0, TOTAL_FAILED: 0, INDETERMINATE: 0, UNREADABLE: 0 };
}

export function tallyLine(tally: Tally, lang: Lang): string {
  const n = VERDICTS.reduce((sum, v) => sum + tally[v], 0);
  const parts = VERDICTS.map((v, i) => `${tally[v]} ${WORDS[lang].tally[i]}`);

  return `${WORDS[lang].total.replace('{n}', String(n))}: ${parts.join(', ')}.\n`;
}

/** 0 only when every file passes; 2 when any could not be read; 1 otherwise. */
export function exitCode(tally: Tally): number {
  if (tally.UNREADABLE > 0) return 2;

  return tally.TOTAL_FAILED + tally.INDETERMINATE > 0 ? 1 : 0;
}
