import { Router, type Request, type Response } from 'express';
import { ZStatsItemsQuery, ZStatsQuery } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import { statsSeries, statsSummary } from './compute-stats.js';
import { listStatsItems } from './list-items.js';
import { flushCounters } from './counter-queue.js';
import { rebuildCounters } from './rebuild-counters.js';
import { csvFileName, seriesCsv, summaryCsv } from './stats-csv.js';
import { statsWorkbook, XLSX_TYPE, xlsxFileName } from './stats-xlsx.js';

/** Auditors see every organization, hub admins too, org admins their own subtree (scope.ts). */
const ROLES = ['auditor', 'org_admin', 'hub_admin'] as const;

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
  r.get(
    '/summary',
    route({ roles: [...ROLES], query: ZStatsQuery }, async ({ query, principal, req, res }) => {
      const s = await statsSummary(ctx, principal, query, new Date(), { source: query.source });
      if (!wantsCsv(req)) return s;
      sendCsv(res, csvFileName('summary', s), summaryCsv(s));

      return undefined;
    }),
  );
  r.get(
    '/series',
    route({ roles: [...ROLES], query: ZStatsQuery }, async ({ query, principal, req, res }) => {
      const s = await statsSeries(ctx, principal, query, new Date(), { source: query.source });
      if (!wantsCsv(req)) return s;
      sendCsv(res, csvFileName('series', s), seriesCsv(s));

      return undefined;
    }),
  );
  // for people: an Excel workbook (summary and the series by `period`); the CSV is for machines
  r.get(
    '/export.xlsx',
    route({ roles: [...ROLES], query: ZStatsQuery }, async ({ query, principal, res }) => {
      const now = new Date();
      const opts = { source: query.source };
      const summary = await statsSummary(ctx, principal, query, now, opts);
      const series = await statsSeries(ctx, principal, query, now, opts);
      res
        .status(200)
        .type(XLSX_TYPE)
        .set('content-disposition', `attachment; filename="${xlsxFileName(summary)}"`)
        .send(await statsWorkbook(summary, series));

      return undefined;
    }),
  );
  // recovery: counters recomputed from the collections (after an org moved, or a lost write)
  r.post(
    '/rebuild',
    route({ roles: ['hub_admin'] }, async () => {
      await flushCounters(ctx);
      return rebuildCounters(ctx);
    }),
  );
  r.get(
    '/items',
    route({ roles: [...ROLES], query: ZStatsItemsQuery }, ({ query, principal }) =>
      listStatsItems(ctx, principal, query),
    ),
  );

  return r;
}
