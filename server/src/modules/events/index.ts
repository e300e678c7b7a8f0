import type { HubModule } from '../module.js';

export const eventsModule: HubModule = {
  name: 'events',
  mount: async () => [],
};
