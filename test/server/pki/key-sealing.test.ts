import { expect } from 'chai';
import { randomBytes, generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { sealPrivateKey, openPrivateKey } from '../../../server/src/lib/pki/key-sealing.js';
import { PkiError } from '../../../server/src/lib/pki/errors.js';

describe('pki key sealing (AES-256-GCM)', function () {
  const master = randomBytes(32);
  const pkcs8 = new Uint8Array(
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    }),
  );

  it('round-trips a PKCS#8 key and hides it', function () {
    const sealed = sealPrivateKey(pkcs8, master);
    expect(sealed.iv).to.have.length(12);
    expect(sealed.tag).to.have.length(16);
    expect(Buffer.from(sealed.ciphertext).equals(Buffer.from(pkcs8))).to.equal(false);
    const opened = openPrivateKey(sealed, master);
    expect(Buffer.from(opened).equals(Buffer.from(pkcs8))).to.equal(true);
    expect(
      createPrivateKey({ key: Buffer.from(opened), format: 'der', type: 'pkcs8' })
        .asymmetricKeyType,
    ).to.equal('ec');
  });

  it('uses a fresh IV each time', function () {
    const a = sealPrivateKey(pkcs8, master);
    const b = sealPrivateKey(pkcs8, master);
    expect(Buffer.from(a.iv).equals(Buffer.from(b.iv))).to.equal(false);
  });

  it('detects tampering of ciphertext, tag or iv, and a wrong master key', function () {
    const sealed = sealPrivateKey(pkcs8, master);
    const flip = (bytes: Uint8Array) => {
      const copy = new Uint8Array(bytes);
      copy[0]! ^= 1;

      return copy;
    };
    for (const bad of [
      { ...sealed, ciphertext: flip(sealed.ciphertext) },
      { ...sealed, tag: flip(sealed.tag) },
      { ...sealed, iv: flip(sealed.iv) },
    ]) {
      expect(() => openPrivateKey(bad, master))
        .to.throw(PkiError)
        .with.property('code', 'PKI_KEY_UNSEAL_FAILED');
    }
    expect(() => openPrivateKey(sealed, randomBytes(32)))
      .to.throw(PkiError)
      .with.property('code', 'PKI_KEY_UNSEAL_FAILED');
    expect(() => sealPrivateKey(pkcs8, randomBytes(16)))
      .to.throw(PkiError)
      .with.property('code', 'PKI_BAD_MASTER_KEY');
  });
});
