import { auditModule } from './audit/index.js';
import { authModule } from './auth/index.js';
import { documentsModule } from './documents/index.js';
import { edxmlModule } from './edxml/index.js';
import { eventsModule } from './events/index.js';
import { exchangeModule } from './exchange/index.js';
import type { HubModule } from './module.js';
import { orgsModule } from './orgs/index.js';
import { pkiModule } from './pki/index.js';
import { revalidationModule } from './revalidation/index.js';
import { signingModule } from './signing/index.js';
import { statsModule } from './stats/index.js';
import { validationModule } from './validation/index.js';

export type { HubModule } from './module.js';

/** Every domain module, in mounting order. Each owns its folder and its index.ts. */
export const modules: HubModule[] = [
  auditModule,
  orgsModule,
  authModule,
  eventsModule,
  pkiModule,
  documentsModule,
  signingModule,
  validationModule,
  exchangeModule,
  statsModule,
  revalidationModule,
  edxmlModule,
];
