import { Router, type Request, type Response } from 'express';
import { statsApi as api } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import { statsSeries, statsSummary } from './compute-stats.js';
import { listStatsItems } from './list-items.js';
import { flushCounters } from './counter-queue.js';
import { rebuildCounters } from './rebuild-counters.js';
import { csvFileName, seriesCsv, summaryCsv } from './stats-csv.js';
import { statsWorkbook, XLSX_TYPE, xlsxFileName } from './stats-xlsx.js';

function wantsCsv(req: Request): boolean {
  return /\btext\/csv\b/i.test(req.get('accept') ?? '');
}

function sendCsv(res: Response, name: string, body: string): void {
  res
    .status(200)
    .type('text/csv; charset=utf-8')
    .set('content-disposition', `attachment; filename="${name}"`)
    .send(body);
}

export function statsRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.summary, async ({ query, principal, req, res }) => {
    const s = await statsSummary(ctx, principal, query, new Date(), { source: query.source });
    if (!wantsCsv(req)) return s;
    sendCsv(res, csvFileName('summary', s), summaryCsv(s));

    return undefined;
  });
  serve(r, api.series, async ({ query, principal, req, res }) => {
    const s = await statsSeries(ctx, principal, query, new Date(), { source: query.source });
    if (!wantsCsv(req)) return s;
    sendCsv(res, csvFileName('series', s), seriesCsv(s));

    return undefined;
  });
  // for people: an Excel workbook (summary and the series by `period`); the CSV is for machines
  serve(r, api.xlsx, async ({ query, principal, res }) => {
    const now = new Date();
    const opts = { source: query.source };
    const summary = await statsSummary(ctx, principal, query, now, opts);
    const series = await statsSeries(ctx, principal, query, now, opts);
    res
      .status(200)
      .type(XLSX_TYPE)
      .set('content-disposition', `attachment; filename="${xlsxFileName(summary)}"`)
      .send(await statsWorkbook(summary, series));
  });
  // recovery: counters recomputed from the collections (after an org moved, or a lost write)
  serve(r, api.rebuild, async () => {
    await flushCounters(ctx);
    return rebuildCounters(ctx);
  });
  serve(r, api.items, ({ query, principal }) => listStatsItems(ctx, principal, query));

  return r;
}
