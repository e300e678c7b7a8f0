import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HubContext } from '../../context.js';
import {
  EXTRA_TRUST_LIST,
  HUB_TRUST_LIST,
  nationalTrustEnabled,
  nationalTrustLists,
  TrustStore,
  type NamedTrustList,
} from '../../lib/pki/index.js';
import { hubPki } from './hub-hierarchy.js';

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
  const cached = ctx.services.pki.trust;
  if (cached && cached.stamp === stamp) return [...cached.anchors];
  const store = TrustStore.load({ folder, roots: [pki.root.certificate] });
  const anchors = store.all().map((e) => e.der);
  ctx.services.pki.trust = { stamp, anchors };

  return [...anchors];
}

// The shipped national lists never change while the process runs: read once.
let national: NamedTrustList[] | undefined;

/**
 * What validation trusts, as named lists (reports say which one anchored each chain): `hub`
 * (the hub's own root), `national-vgca` and `national-neac` (certs/, unless NATIONAL_TRUST=off;
 * their issuing CAs are intermediates, never anchors) and `extra` (every certificate of
 * TRUST_DIR, re-read when the folder changes, as trustAnchors does).
 */
export async function trustLists(ctx: HubContext): Promise<NamedTrustList[]> {
  const pki = await hubPki(ctx);
  const lists: NamedTrustList[] = [
    { name: HUB_TRUST_LIST, anchors: [pki.root.certificate], intermediates: [] },
  ];
  if (nationalTrustEnabled(ctx.config.NATIONAL_TRUST))
    lists.push(...(national ??= nationalTrustLists()));
  if (ctx.config.TRUST_DIR) {
    const extra = (await trustAnchors(ctx)).slice(1);
    lists.push({ name: EXTRA_TRUST_LIST, anchors: extra, intermediates: [] });
  }

  return lists;
}
