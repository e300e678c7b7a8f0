import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { TFigure, TStatsSeries, TStatsSummary } from '../../../server/src/contracts/stats.js';
import { statsWorkbook } from '../../../server/src/modules/stats/stats-xlsx.js';

/**
 * The Excel export for Vietnamese offices (issue #22, item 6): typed cells that Excel reads the
 * same under any regional setting, read back with the library that wrote them.
 */

const range = {
  orgId: '64b000000000000000000001',
  orgName: 'UBND tỉnh Thanh Hóa',
  subtreeSize: 3,
  from: '2026-10-01',
  to: '2026-11-30',
  timezone: 'Asia/Ho_Chi_Minh' as const,
  asOf: '2026-12-01T02:30:00.000Z',
  source: 'counters' as const,
};

const figures: Record<string, TFigure> = {
  sealSignatureRate: {
    key: 'sealSignatureRate',
    label: 'Tỷ lệ văn bản đi có chữ ký số của cơ quan',
    unit: 'ratio',
    value: 4 / 13,
    numerator: 4,
    denominator: 13,
    computed: true,
    drillDown: '/api/v1/stats/items?metric=sealSigned',
  },
  deliveriesSent: {
    key: 'deliveriesSent',
    label: 'Lượt gửi',
    unit: 'count',
    value: 1234,
    computed: true,
    drillDown: null,
  },
  toAcceptedP50: {
    key: 'toAcceptedP50',
    label: 'Thời gian từ khi đến (01) đến khi tiếp nhận (03), phân vị 50 (ms)',
    unit: 'ms',
    value: 5_400_000,
    computed: true,
    drillDown: null,
    note: '=HYPERLINK("http://x")',
  },
};

async function read(summary: TStatsSummary, series: TStatsSeries) {
  const wb = new ExcelJS.Workbook();
  // a copy in an ArrayBuffer of its own: exceljs declares its own Buffer type, an ArrayBuffer
  await wb.xlsx.load(new Uint8Array(await statsWorkbook(summary, series)).buffer);

  return wb;
}

function rowsOf(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  const rows: ExcelJS.Row[] = [];
  ws.eachRow((r) => rows.push(r));

  return rows;
}

describe('stats Excel export (exceljs)', () => {
  const summary: TStatsSummary = { ...range, figures };
  const series: TStatsSeries = {
    ...range,
    period: 'month',
    buckets: [
      // Vietnam's October and November as the hub computes them (UTC+7 midnights)
      {
        period: '2026-10',
        start: '2026-09-30T17:00:00.000Z',
        end: '2026-10-31T17:00:00.000Z',
        figures,
      },
      {
        period: '2026-11',
        start: '2026-10-31T17:00:00.000Z',
        end: '2026-11-30T17:00:00.000Z',
        figures: { ...figures, deliveriesSent: { ...figures.deliveriesSent!, value: 7 } },
      },
    ],
  };

  it('writes the summary with typed cells: dates, a percentage, hours, counts', async () => {
    const ws = (await read(summary, series)).getWorksheet('Tổng hợp')!;
    expect(ws.getCell('B1').value).to.equal('UBND tỉnh Thanh Hóa');
    expect(ws.getCell('B2').value).to.deep.equal(new Date('2026-10-01T00:00:00Z'));
    expect(ws.getCell('B2').numFmt).to.equal('dd/mm/yyyy');
    expect(ws.getCell('B3').value).to.deep.equal(new Date('2026-11-30T00:00:00Z'));
    // the instant of the figures as Vietnam's wall clock: 09:30 on 1 December
    expect(ws.getCell('B4').value).to.deep.equal(new Date('2026-12-01T09:30:00Z'));
    const rows = rowsOf(ws);
    const by = (label: string) => rows.find((r) => r.getCell(1).value === label)!;
    expect(by('Chỉ số').values).to.include.members(['Giá trị', 'Đơn vị', 'Tử số', 'Mẫu số']);
    const seal = by('Tỷ lệ văn bản đi có chữ ký số của cơ quan');
    expect(seal.getCell(2).value).to.equal(4 / 13);
    expect(seal.getCell(2).numFmt).to.equal('0.0%');
    expect([seal.getCell(4).value, seal.getCell(5).value]).to.deep.equal([4, 13]);
    const sent = by('Lượt gửi');
    expect(sent.getCell(2).value).to.equal(1234);
    expect(sent.getCell(2).numFmt).to.equal('#,##0');
    const latency = by('Thời gian từ khi đến (01) đến khi tiếp nhận (03), phân vị 50 (giờ)');
    expect(latency.getCell(2).value).to.equal(1.5);
    expect(latency.getCell(3).value).to.equal('giờ');
    // text that looks like a formula stays text
    expect(latency.getCell(6).value).to.equal('=HYPERLINK("http://x")');
    expect(latency.getCell(6).type).to.equal(ExcelJS.ValueType.String);
  });

  it('writes one row per period with its first and last Vietnam calendar day', async () => {
    const ws = (await read(summary, series)).getWorksheet('Theo kỳ')!;
    const rows = rowsOf(ws);
    const head = rows.findIndex((r) => r.getCell(1).value === 'Kỳ');
    expect(rows[head]!.getCell(2).value).to.equal('Từ ngày');
    expect(rows[head]!.getCell(3).value).to.equal('Đến ngày');
    const [oct, nov] = [rows[head + 1]!, rows[head + 2]!];
    expect(oct.getCell(1).value).to.equal('2026-10');
    expect(oct.getCell(2).value).to.deep.equal(new Date('2026-10-01T00:00:00Z'));
    expect(oct.getCell(3).value).to.deep.equal(new Date('2026-10-31T00:00:00Z'));
    expect(nov.getCell(2).value).to.deep.equal(new Date('2026-11-01T00:00:00Z'));
    expect(nov.getCell(3).value).to.deep.equal(new Date('2026-11-30T00:00:00Z'));
    expect(nov.getCell(3).numFmt).to.equal('dd/mm/yyyy');
    // figures in the order of the header, typed like the summary
    const col = (label: string) => (rows[head]!.values as unknown[]).findIndex((v) => v === label);
    expect(nov.getCell(col('Lượt gửi')).value).to.equal(7);
    expect(nov.getCell(col('Tỷ lệ văn bản đi có chữ ký số của cơ quan')).numFmt).to.equal('0.0%');
  });
});
