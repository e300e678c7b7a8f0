import type { HubModule } from '../module.js';

export const pkiModule: HubModule = {
  name: 'pki',
  mount: async () => [],
};
