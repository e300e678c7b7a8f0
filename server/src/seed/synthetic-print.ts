import type { SyntheticProgress, SyntheticReport } from './synthetic.js';

/** Progress and summary of `lienthong seed --synthetic`, in Vietnamese. */
type Out = { write(s: string): unknown };

const n = (x: number) => x.toLocaleString('vi-VN');
const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)} %`);
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const PHASES: Record<SyntheticProgress['phase'], string> = {
  clear: 'Xóa dữ liệu tổng hợp cũ (nếu có)…',
  load: 'Ghi văn bản, lần gửi và lần chuyển',
  indexes: 'Tạo chỉ mục…',
  counters: 'Tính lại bộ đếm thống kê (rebuildCounters)…',
};

export function printSyntheticProgress(out: Out): (p: SyntheticProgress) => void {
  let lastShown = -1;

  return (p) => {
    if (p.phase !== 'load') {
      out.write(`${PHASES[p.phase]}\n`);

      return;
    }
    const done = p.done ?? 0;
    const total = p.total ?? 0;
    // one line per 10 % (and the last)
    const tenth = total ? Math.floor((10 * done) / total) : 10;
    if (tenth === lastShown) return;
    lastShown = tenth;
    out.write(`${PHASES.load}: ${n(done)} / ${n(total)} (${pct(done, total)})\n`);
  };
}

export function printSyntheticReport(out: Out, r: SyntheticReport): void {
  const t = r.tally;
  const s = t.statuses;
  const w = (line: string) => out.write(`${line}\n`);
  w('');
  w(`Đã tạo lịch sử tổng hợp (hạt giống ${r.seed}), từ ${r.from} đến ${r.to}:`);
  w(`  ${n(r.organizations)} cơ quan, tổ chức (mã bắt đầu bằng SYN-, đánh dấu synthetic: true)`);
  w(
    `  ${n(r.documents)} văn bản, ${n(r.dispatches)} lần gửi (${n(t.redispatched)} gửi bổ sung), ${n(r.deliveries)} lần chuyển`,
  );
  w(
    `  nơi nhận / văn bản: trung bình ${(t.recipients.deliveries / Math.max(1, t.recipients.documents)).toFixed(2)}, nhiều nhất ${t.recipients.max}`,
  );
  w(
    `  văn bản của cơ quan nhà nước có chữ ký số cơ quan: ${pct(t.agencyDocuments.seal, t.agencyDocuments.total)}, chữ ký số cá nhân: ${pct(t.agencyDocuments.personal, t.agencyDocuments.total)}`,
  );
  w(
    `  trạng thái: ${Object.entries(s)
      .sort()
      .map(([k, v]) => `${k}: ${n(v)}`)
      .join(', ')}`,
  );
  w(
    `  từ chối: ${pct(s['02'] ?? 0, r.deliveries)}, thu hồi: ${pct(t.recalled, r.deliveries)} (rút về ${n(t.withdrawn)}), cập nhật: ${n(t.updated)}, có hạn xử lý: ${pct(t.withDueDate, r.deliveries)}`,
  );
  w(
    `  đã quá hạn xử lý: ${n(t.pastDue.total)} — đúng hạn ${pct(t.pastDue.onTime, t.pastDue.total)}, trễ hạn ${pct(t.pastDue.late, t.pastDue.total)}, chưa xong ${pct(t.pastDue.open, t.pastDue.total)}`,
  );
  w(
    `  bộ đếm thống kê: ${n(r.counters.counterDocuments)} bản ghi từ ${n(r.counters.deliveries)} lần chuyển và ${n(r.counters.outgoingDocuments)} văn bản đi`,
  );
  w(
    `Thời gian: ghi ${sec(r.ms.load)}, chỉ mục ${sec(r.ms.indexes)}, bộ đếm ${sec(r.ms.counters)}, tổng ${sec(r.ms.total)}.`,
  );
}
