import { expect } from 'chai';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initHierarchy } from '../../../server/src/lib/pki/hierarchy.js';
import { TrustStore } from '../../../server/src/lib/pki/trust-store.js';
import { fromPem } from '../../../server/src/lib/pki/pem.js';
import type * as asn1js from 'asn1js';
import { parseCertificate } from '../../../server/src/lib/pki/certificate.js';
import { tempDir, PUBLIC_URL, PASSWORD } from './helpers.js';

describe('pki TrustStore', function () {
  const tmp = tempDir('trust');
  after(() => tmp.cleanup());

  it('loads roots and folder certificates, looks up by subject and SKI, reloads', async function () {
    await initHierarchy({
      dir: tmp.dir,
      algorithm: 'p256',
      publicUrl: PUBLIC_URL,
      password: PASSWORD,
    });
    const folder = join(tmp.dir, 'trust');
    mkdirSync(folder);
    copyFileSync(join(tmp.dir, 'issuing-ca.pem'), join(folder, 'issuing-ca.pem'));
    const root = fromPem(readFileSync(join(tmp.dir, 'root-ca.pem'), 'utf8'));
    const store = TrustStore.load({ folder, roots: [root] });
    expect(store.all()).to.have.length(2);
    expect(store.isTrustedRoot(root)).to.equal(true);

    const issuing = parseCertificate(
      fromPem(readFileSync(join(tmp.dir, 'issuing-ca.pem'), 'utf8')),
    );
    const ski = issuing.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as
      asn1js.OctetString | undefined;
    const found = store.bySki(new Uint8Array(ski!.valueBlock.valueHexView));
    expect(found?.isRoot).to.equal(false);
    expect(store.bySubject(new Uint8Array(issuing.issuer.toSchema().toBER()))[0]?.isRoot).to.equal(
      true,
    );
    expect(store.isTrustedRoot(found!.der)).to.equal(false);

    copyFileSync(join(tmp.dir, 'tsa.chain.pem'), join(folder, 'tsa.chain.pem'));
    expect(store.all()).to.have.length(2);
    store.reload();
    expect(store.all()).to.have.length(4);
  });
});
