import { answerDeliveries } from '../documents/index.js';
import { registerEventSource } from '../events/index.js';
import { deliveriesOf, recipientGrant } from './recipient-access.js';
import { arrivalsAfter } from './arrival-log.js';
import './exchange.events.js';

export type { DeliveryTransitions } from './exchange.events.js';
import { hubModule } from '../module.js';
import { Deliveries, Dispatches } from './delivery.model.js';
import { exchangeRoutes } from './exchange.routes.js';
import { ReceiptKeys, type ReceiptKey } from './receipt-keys.js';

declare module '../../context.js' {
  interface HubServices {
    /** Each organization's receipt signing key, opened once. */
    exchange: { receiptKeys: Map<string, Promise<ReceiptKey>> };
  }
}

/**
 * Dispatches, deliveries, the edXML status lifecycle, signed receipts (ES256 per organization),
 * recall/update; publishes its delivery transitions on the bus, answers documents about who a
 * document was delivered to, keeps its arrival events for the event log.
 */
export const exchangeModule = hubModule({
  name: 'exchange',
  models: [Deliveries, Dispatches, ReceiptKeys],
  init: async (ctx) => {
    // a dispatch's arrival events live in its deliveries (arrival-log.ts)
    registerEventSource(ctx, (orgId, after, limit) => arrivalsAfter(ctx, orgId, after, limit));
    answerDeliveries(ctx, { grant: recipientGrant, deliveries: deliveriesOf });

    return { receiptKeys: new Map() };
  },
  mount: async (ctx) => [{ path: '/api/v1', router: exchangeRoutes(ctx) }],
});

export { changeStatus } from './change-status.js';
export {
  Deliveries,
  Dispatches,
  RECIPIENT_ID_INDEX,
  type DeliveryDoc,
  type DispatchDoc,
  type HistoryDoc,
} from './delivery.model.js';
export { presentDelivery } from './present.js';
export { recallDispatch, updateDispatch } from './sender-changes.js';
export { SENDER_ROLES } from './transitions.js';
export { dispatchDocument } from './dispatch-document.js';
export { getDelivery } from './queries.js';
