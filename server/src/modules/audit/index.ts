import type { HubModule } from '../module.js';

export const auditModule: HubModule = {
  name: 'audit',
  mount: async () => [],
};
