import type { HubModule } from '../module.js';

export const exchangeModule: HubModule = {
  name: 'exchange',
  mount: async () => [],
};
