import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { Server as IoServer } from 'socket.io';
import type { HubContext, HubServices } from '../context.js';

/** A router and where the hub mounts it. */
export type Mount = { path: string; router: Router };

type Hooks = {
  /** Models whose indexes the hub builds before `init`, so unique rules hold from the first write. */
  models?: ((c: Connection) => { init(): Promise<unknown> })[];
  mount(ctx: HubContext): Promise<Mount[]>;
  realtime?(ctx: HubContext, io: IoServer): Promise<void>;
  /** Runs when the hub stops, before the database closes (flush). */
  close?(ctx: HubContext): Promise<void>;
};

/** A domain module plugs into the hub through this shape only. */
export type HubModule = Hooks & {
  name: string;
  /**
   * Runs once at start, in the order of modules/index.ts, before routes are mounted (indexes,
   * bootstrap data, subscriptions on ctx.bus); what it returns becomes `ctx.services[name]`.
   */
  init?(ctx: HubContext): Promise<unknown>;
};

/** A module whose `init` returns the services it declared in `HubServices`. */
export function hubModule<K extends keyof HubServices>(
  m: Hooks & { name: K; init(ctx: HubContext): Promise<HubServices[K]> },
): HubModule {
  return m;
}
