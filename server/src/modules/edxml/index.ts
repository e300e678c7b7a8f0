import type { HubModule } from '../module.js';

export const edxmlModule: HubModule = {
  name: 'edxml',
  mount: async () => [],
};
