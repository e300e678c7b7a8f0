import {
  bitString,
  concat,
  ecdsaRawToDer,
  oid,
  pem,
  seq,
  set,
  tlv,
  toBase64,
  utf8,
  fromBase64,
} from './der';

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DB = 'lienthong-keys';
const STORE = 'keys';

export type DeviceKey = { privateKey: CryptoKey; publicKey: CryptoKey; fingerprint: string };

function idb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idbDo<T>(
  mode: IDBTransactionMode,
  f: (s: IDBObjectStore) => IDBRequest,
): Promise<T> {
  const db = await idb();

  return new Promise<T>((resolve, reject) => {
    const req = f(db.transaction(STORE, mode).objectStore(STORE));
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(req.error);
  });
}

async function fingerprint(publicKey: CryptoKey): Promise<string> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', publicKey));
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', spki));

  return Array.from(h.slice(0, 12), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * An ECDSA P-256 key pair made by the browser with extractable = false: the private key can sign
 * but no script (ours included) can ever read it. IndexedDB keeps the CryptoKey object itself.
 */
export async function generateDeviceKey(userId: string): Promise<DeviceKey> {
  const pair = await crypto.subtle.generateKey(ALG, false, ['sign', 'verify']);
  await idbDo('readwrite', (s) =>
    s.put({ privateKey: pair.privateKey, publicKey: pair.publicKey }, userId),
  );

  return { ...pair, fingerprint: await fingerprint(pair.publicKey) };
}

export async function loadDeviceKey(userId: string): Promise<DeviceKey | null> {
  const stored = await idbDo<{ privateKey: CryptoKey; publicKey: CryptoKey } | undefined>(
    'readonly',
    (s) => s.get(userId),
  ).catch(() => undefined);

  return stored ? { ...stored, fingerprint: await fingerprint(stored.publicKey) } : null;
}

export async function signWithDeviceKey(key: DeviceKey, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(SIGN, key.privateKey, data as BufferSource));
}

/** PKCS#10 (RFC 2986) for the device key, subject CN = the user's name, signed by the key itself. */
export async function makeCsr(
  key: DeviceKey,
  commonName: string,
  organization?: string,
): Promise<string> {
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', key.publicKey));
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  const name = seq(
    rdn('2.5.4.3', commonName),
    ...(organization ? [rdn('2.5.4.10', organization)] : []),
  );
  const info = seq(tlv(0x02, new Uint8Array([0])), name, spki, tlv(0xa0));
  const raw = await signWithDeviceKey(key, info);
  const der = seq(info, seq(oid('1.2.840.10045.4.3.2')), bitString(ecdsaRawToDer(raw)));

  return pem('CERTIFICATE REQUEST', der);
}

export { toBase64, fromBase64, concat };
