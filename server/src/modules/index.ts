import { authModule } from './auth/index.js';
import type { HubModule } from './module.js';
import { orgsModule } from './orgs/index.js';

export type { HubModule } from './module.js';

/** Every domain module, in mounting order. */
export const modules: HubModule[] = [orgsModule, authModule];
