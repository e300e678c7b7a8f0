import type { Server as IoServer } from 'socket.io';
import type { HubContext } from '../context.js';
import type { Mount } from '../http/app.js';

/** A domain module plugs into the hub through this shape only. */
export type HubModule = {
  name: string;
  /** Runs once at start, before routes are mounted (indexes, bootstrap data). */
  init?(ctx: HubContext): Promise<void>;
  mount(ctx: HubContext): Promise<Mount[]>;
  realtime?(ctx: HubContext, io: IoServer): Promise<void>;
  /** Runs when the hub stops, before the database closes (unsubscribe, flush). */
  close?(ctx: HubContext): Promise<void>;
};
