import type ExcelJS from 'exceljs';
import type { TFigure, TStatsSeries, TStatsSummary } from '../../contracts/stats.js';
import { VN_OFFSET_MS } from '../scope/index.js';

/**
 * The statistics as an Excel workbook for people (the CSV stays for machines): typed cells, so
 * Excel under any regional setting reads numbers, dates and percentages as such — dates
 * dd/mm/yyyy, ratios as percentages, durations in hours, headers in Vietnamese.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const HOUR_MS = 3_600_000;
const FMT = {
  date: 'dd/mm/yyyy',
  dateTime: 'dd/mm/yyyy hh:mm',
  percent: '0.0%',
  count: '#,##0',
  hours: '#,##0.0',
  decimal: '#,##0.00',
} as const;

type Cell = { value: number | null; numFmt: string; unit: string };

/** A figure's value as the cell shows it: a ratio stays 0–1 (Excel shows it as %), ms become hours. */
function figureCell(f: TFigure): Cell {
  switch (f.unit) {
    case 'ratio':
      return { value: f.value, numFmt: FMT.percent, unit: 'tỷ lệ (%)' };
    case 'ms':
      return { value: f.value === null ? null : f.value / HOUR_MS, numFmt: FMT.hours, unit: 'giờ' };
    case 'perDocument':
      return { value: f.value, numFmt: FMT.decimal, unit: 'bình quân mỗi văn bản' };
    default:
      return { value: f.value, numFmt: FMT.count, unit: 'số lượng' };
  }
}

/** "…, phân vị 50 (ms)" is written in hours in the workbook. */
function label(f: TFigure): string {
  return f.unit === 'ms' ? f.label.replace(/\s*\(ms\)\s*$/, ' (giờ)') : f.label;
}

/** A calendar day (YYYY-MM-DD) as the date cell Excel shows as that day. */
function day(iso: string): Date {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

/** An instant as the Vietnam wall-clock time Excel shows (it has no time zones). */
function vnWallClock(at: string | Date): Date {
  return new Date(new Date(at).getTime() + VN_OFFSET_MS);
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', wrapText: true };
  row.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE6EEF8' } };
  });
}

function rangeRows(ws: ExcelJS.Worksheet, s: TStatsSummary | TStatsSeries): void {
  ws.addRow(['Cơ quan', s.orgName]);
  ws.addRow(['Từ ngày', day(s.from)]).getCell(2).numFmt = FMT.date;
  ws.addRow(['Đến ngày', day(s.to)]).getCell(2).numFmt = FMT.date;
  ws.addRow(['Số liệu tính lúc (giờ Việt Nam)', vnWallClock(s.asOf)]).getCell(2).numFmt =
    FMT.dateTime;
  ws.addRow([]);
}

function summarySheet(wb: ExcelJS.Workbook, s: TStatsSummary): void {
  const ws = wb.addWorksheet('Tổng hợp');
  rangeRows(ws, s);
  styleHeader(ws.addRow(['Chỉ số', 'Giá trị', 'Đơn vị', 'Tử số', 'Mẫu số', 'Ghi chú']));
  for (const f of Object.values(s.figures)) {
    const c = figureCell(f);
    const row = ws.addRow([
      label(f),
      c.value,
      c.unit,
      f.numerator ?? null,
      f.denominator ?? null,
      f.note ?? null,
    ]);
    row.getCell(2).numFmt = c.numFmt;
    row.getCell(4).numFmt = FMT.count;
    row.getCell(5).numFmt = FMT.count;
  }
  ws.columns.forEach((col, i) => (col.width = [60, 14, 22, 10, 10, 60][i]));
}

function seriesSheet(wb: ExcelJS.Workbook, s: TStatsSeries): void {
  const ws = wb.addWorksheet('Theo kỳ');
  rangeRows(ws, s);
  const first = s.buckets[0];
  const figures = first ? Object.values(first.figures) : [];
  styleHeader(ws.addRow(['Kỳ', 'Từ ngày', 'Đến ngày', ...figures.map(label)]));
  for (const b of s.buckets) {
    // a bucket ends at the next period's first instant (exclusive): its last day is the day before
    const last = new Date(vnWallClock(b.end).getTime() - 1).toISOString();
    const cells = figures.map((f) => figureCell(b.figures[f.key] ?? f));
    const row = ws.addRow([
      b.period,
      day(vnWallClock(b.start).toISOString()),
      day(last),
      ...figures.map((f, i) => (b.figures[f.key] ? cells[i]!.value : null)),
    ]);
    row.getCell(2).numFmt = FMT.date;
    row.getCell(3).numFmt = FMT.date;
    cells.forEach((c, i) => (row.getCell(4 + i).numFmt = c.numFmt));
  }
  ws.columns.forEach((col, i) => (col.width = i < 3 ? 12 : 18));
}

export async function statsWorkbook(summary: TStatsSummary, series: TStatsSeries): Promise<Buffer> {
  // loaded on the first export, not at every start of the hub and CLI: ~400 files, 0.5 s of CPU
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'LiênThông';
  wb.created = new Date(summary.asOf);
  summarySheet(wb, summary);
  seriesSheet(wb, series);

  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function xlsxFileName(s: { orgId: string; from: string; to: string }): string {
  return `thong-ke-${s.orgId}-${s.from}-${s.to}.xlsx`;
}
