import type { TStatusCode } from '../../contracts/exchange.js';
import type { DocumentDoc } from '../documents/index.js';
import type { DeliveryDoc, DispatchDoc } from './delivery.model.js';

/** Deliveries that reached a status, stored; stats counts them (derived data, not awaited by it). */
export type DeliveryTransitions = {
  transitions: { delivery: DeliveryDoc; code: TStatusCode; at: Date }[];
  /** A new dispatch: its outgoing document, counted once with its signatures. */
  outgoing?: { dispatch: DispatchDoc; doc: DocumentDoc };
};

declare module '../../bus.js' {
  interface HubEvents {
    'delivery.transitions': DeliveryTransitions;
  }
}
