import type { TFigure, TFigureUnit, TStatsSeries, TStatsSummary } from '../../contracts/stats.js';

/** The BOM makes spreadsheet programs read the file as UTF-8, so Vietnamese shows correctly. */
const BOM = '\uFEFF';

const UNIT_LABELS: Record<TFigureUnit, string> = {
  count: 'số lượng',
  ratio: 'tỷ lệ (0–1)',
  ms: 'mili giây',
  perDocument: 'bình quân mỗi văn bản',
};

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  // a leading = + - @ would make a spreadsheet evaluate the text as a formula
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;

  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function lines(rows: (string | number | null | undefined)[][]): string {
  return BOM + rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function summaryCsv(s: TStatsSummary): string {
  const head = [
    'Chỉ số',
    'Mã chỉ số',
    'Giá trị',
    'Tử số',
    'Mẫu số',
    'Đơn vị',
    'Ghi chú',
    'Truy vấn chi tiết',
  ];
  const rows = Object.values(s.figures).map((f: TFigure) => [
    f.label,
    f.key,
    f.value,
    f.numerator,
    f.denominator,
    UNIT_LABELS[f.unit],
    f.note,
    f.drillDown,
  ]);

  return lines([
    ['Cơ quan', s.orgName, 'Từ ngày', s.from, 'Đến ngày', s.to, 'Múi giờ', s.timezone],
    head,
    ...rows,
  ]);
}

export function seriesCsv(s: TStatsSeries): string {
  const first = s.buckets[0];
  const keys = first ? Object.keys(first.figures) : [];
  const labels = first ? Object.values(first.figures).map((f) => f.label) : [];
  const rows = s.buckets.map((b) => [
    b.period,
    b.start,
    b.end,
    ...keys.map((k) => b.figures[k]?.value),
  ]);

  return lines([
    ['Cơ quan', s.orgName, 'Từ ngày', s.from, 'Đến ngày', s.to, 'Kỳ', s.period],
    ['Kỳ', 'Bắt đầu (UTC)', 'Kết thúc (UTC, không gồm)', ...labels],
    ...rows,
  ]);
}

export function csvFileName(
  kind: 'summary' | 'series',
  s: { orgId: string; from: string; to: string },
) {
  return `thong-ke-${kind}-${s.orgId}-${s.from}-${s.to}.csv`;
}
