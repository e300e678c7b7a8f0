import type { HubModule } from '../module.js';

export const signingModule: HubModule = {
  name: 'signing',
  mount: async () => [],
};
