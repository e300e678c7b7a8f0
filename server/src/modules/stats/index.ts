import type { HubModule } from '../module.js';

export const statsModule: HubModule = {
  name: 'stats',
  mount: async () => [],
};
