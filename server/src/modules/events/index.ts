import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { Counters, Events } from './event.model.js';
import { eventsRoutes } from './events.routes.js';
import { attachGateway } from './gateway.js';

export const eventsModule: HubModule = {
  name: 'events',
  init: (ctx) => ensureIndexes(ctx.db.conn, [Events, Counters]),
  mount: async (ctx) => [{ path: '/api/v1/events', router: eventsRoutes(ctx) }],
  realtime: async (ctx, io) => attachGateway(ctx, io),
};
