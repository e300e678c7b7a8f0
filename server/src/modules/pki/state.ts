import type { HubPki } from './hub-hierarchy.js';
import type { HubSeal } from './hub-seal.js';
import type { CrlIssuer, CachedCrl, Responders } from './responders.js';

/** What the pki module keeps per hub: opened keys and answers it rebuilds only when they change. */
export type PkiState = {
  hierarchy?: Promise<HubPki>;
  /** The OCSP and TSA responders of the hierarchy they were built for. */
  responders?: { pki: HubPki; built: Responders };
  crls: Partial<Record<CrlIssuer, CachedCrl>>;
  trust?: { stamp: string; anchors: Uint8Array[] };
  seal?: HubSeal;
  sealIndexed?: Promise<unknown>;
};

export function newPkiState(): PkiState {
  return { crls: {} };
}
