import type { HubContext } from '../../context.js';
import { hubModule } from '../module.js';
import { Counters, Events } from './event.model.js';
import { eventsRoutes } from './events.routes.js';
import { attachGateway } from './gateway.js';
import { Sequencer, type EventSource } from './publish.js';

export type { EventDoc } from './event.model.js';
export {
  lastSeq,
  orgRoom,
  publish,
  publishEvents,
  userRoom,
  type EventSource,
  type NewEvent,
} from './publish.js';

declare module '../../context.js' {
  interface HubServices {
    events: { sequencer: Sequencer; sources: EventSource[] };
  }
}

/** Event log (one hub-wide increasing seq), Socket.IO gateway (JWT, org/user rooms, replay). */
export const eventsModule = hubModule({
  name: 'events',
  models: [Events, Counters],
  init: async (ctx) => ({ sequencer: new Sequencer(ctx), sources: [] }),
  mount: async (ctx) => [{ path: '/api/v1/events', router: eventsRoutes(ctx) }],
  realtime: async (ctx, io) => attachGateway(ctx, io),
});

/** A module's own store of events, merged into the log when clients replay it. */
export function registerEventSource(ctx: HubContext, source: EventSource): void {
  ctx.services.events.sources.push(source);
}
