import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { Deliveries, Dispatches } from './delivery.model.js';
import { exchangeRoutes } from './exchange.routes.js';
import { ReceiptKeys } from './receipt-keys.js';

export const exchangeModule: HubModule = {
  name: 'exchange',
  init: (ctx) => ensureIndexes(ctx.db.conn, [Deliveries, Dispatches, ReceiptKeys]),
  mount: async (ctx) => [{ path: '/api/v1', router: exchangeRoutes(ctx) }],
};
