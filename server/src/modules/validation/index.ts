import type { HubModule } from '../module.js';

export const validationModule: HubModule = {
  name: 'validation',
  mount: async () => [],
};
