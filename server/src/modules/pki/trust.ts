import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HubContext } from '../../context.js';
import { TrustStore } from '../../pki/index.js';
import { hubPki } from './hub-hierarchy.js';

type Cached = { stamp: string; anchors: Uint8Array[] };
const cache = new WeakMap<HubContext, Cached>();

/**
 * What changes when an administrator adds, removes or edits a PEM: the folder's mtime plus
 * every file's size and mtime (editing a file in place does not touch the folder's mtime).
 */
function folderStamp(folder: string): string {
  const parts = [String(statSync(folder).mtimeMs)];
  for (const name of readdirSync(folder).sort()) {
    const st = statSync(join(folder, name));
    parts.push(`${name}:${st.size}:${st.mtimeMs}`);
  }

  return parts.join('|');
}

/**
 * Certificates validation trusts: the hub's root first, then every certificate in the PEM
 * files of TRUST_DIR (government roots such as NEAC's go there). Re-read when the folder
 * changes, no restart needed. A missing or unreadable TRUST_DIR throws (PKI_TRUST_FOLDER).
 */
export async function trustAnchors(ctx: HubContext): Promise<Uint8Array[]> {
  const pki = await hubPki(ctx);
  const folder = ctx.config.TRUST_DIR;
  if (!folder) return [pki.root.certificate];
  let stamp: string;
  try {
    stamp = folderStamp(folder);
  } catch {
    stamp = 'unreadable';
  }
  const cached = cache.get(ctx);
  if (cached && cached.stamp === stamp) return [...cached.anchors];
  const store = TrustStore.load({ folder, roots: [pki.root.certificate] });
  const anchors = store.all().map((e) => e.der);
  cache.set(ctx, { stamp, anchors });

  return [...anchors];
}
