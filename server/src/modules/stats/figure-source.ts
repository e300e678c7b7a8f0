import type { HubContext } from '../../context.js';
import type { RevalidationFigure } from './figures.js';

/** The still-valid figure's source, offered by the revalidation module at start. */
export function revalidationFigure(ctx: HubContext): RevalidationFigure {
  const offered = ctx.services.stats.revalidation;
  if (!offered)
    throw new Error('the still-valid figure has no source: the revalidation module is not started');

  return offered;
}
