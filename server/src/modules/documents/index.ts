import type { HubModule } from '../module.js';

export const documentsModule: HubModule = {
  name: 'documents',
  mount: async () => [],
};
