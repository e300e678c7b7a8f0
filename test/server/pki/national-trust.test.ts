import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadTrustListFolder,
  nationalTrustDir,
  nationalTrustEnabled,
  nationalTrustLists,
} from '../../../server/src/lib/pki/trust-lists.js';
import { fromPem } from '../../../server/src/lib/pki/pem.js';
import { certFromDer } from '../../../server/src/lib/pki/x509.js';
import { buildChain, trustStoreOf } from '../../../server/src/lib/validation/chain.js';
import { REPO } from '../../support/process.js';
import { openssl, tempDir } from './helpers.js';

const CERTS = join(REPO, 'certs');
/** As published in the project's trust-vn set (checked there against the CAs' own values). */
const TRUST_VN: Record<string, string> = {
  'vgca-root-g2.pem':
    'F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8',
  'vgca-cp-ca-g2.pem':
    'D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4:4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B',
  'vn-national-root-ca.pem':
    'BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7',
  'vnpt-ca-sha2.pem':
    '7D:6B:A5:24:53:17:F9:ED:5D:8B:C7:65:A4:63:4D:26:AC:63:40:D3:6B:9F:58:4D:F3:B5:2D:9C:4A:81:A3:06',
};

/** The SHA-256 fingerprints the certs/ README gives, by file (relative to certs/). */
function readmeFingerprints(readme: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readme.matchAll(/`([\w/.-]+\.pem)`[^\n]*?((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/g))
    out.set(prefix + m[1]!, m[2]!);
  return out;
}

const fingerprint = (file: string) =>
  new X509Certificate(readFileSync(file)).fingerprint256.toUpperCase();

const der = (file: string) => fromPem(readFileSync(file, 'latin1'));

describe('national trust list (certs/)', function () {
  const tmp = tempDir('national');
  after(() => tmp.cleanup());

  it('ships both roots and their intermediates, with the fingerprints certs/README.md and trust-vn give', () => {
    const documented = readmeFingerprints(readFileSync(join(CERTS, 'README.md'), 'utf8'));
    const files = ['national-vgca', 'national-neac'].flatMap((list) =>
      readdirSync(join(CERTS, list)).map((f) => `${list}/${f}`),
    );
    expect(files.sort()).to.deep.equal([
      'national-neac/vn-national-root-ca.pem',
      'national-neac/vnpt-ca-sha2.pem',
      'national-vgca/vgca-cp-ca-g2.pem',
      'national-vgca/vgca-root-g2.pem',
    ]);
    for (const file of files)
      expect(fingerprint(join(CERTS, file)), file).to.equal(documented.get(file));
    // and trust-vn's table agrees, file by file
    for (const file of files)
      expect(TRUST_VN[file.split('/')[1]!], file).to.equal(documented.get(file));
  });

  it('each intermediate verifies against its root (openssl verify)', () => {
    for (const [root, intermediate] of [
      ['national-vgca/vgca-root-g2.pem', 'national-vgca/vgca-cp-ca-g2.pem'],
      ['national-neac/vn-national-root-ca.pem', 'national-neac/vnpt-ca-sha2.pem'],
    ]) {
      const r = openssl(['verify', '-CAfile', join(CERTS, root!), join(CERTS, intermediate!)]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(': OK');
    }
  });

  it('loads as two named lists: the roots are anchors, the issuing CAs intermediates', () => {
    expect(nationalTrustDir().replace(/\/$/, '')).to.equal(CERTS);
    const lists = nationalTrustLists();
    expect(lists.map((l) => l.name)).to.deep.equal(['national-vgca', 'national-neac']);
    const subjects = (ders: Uint8Array[]) => ders.map((d) => certFromDer(d).attribute('CN'));
    expect(subjects(lists[0]!.anchors)).to.deep.equal(['RootCA chuyên dùng Chính phủ G2']);
    expect(subjects(lists[0]!.intermediates)).to.deep.equal(['CA phục vụ các cơ quan Nhà nước G2']);
    expect(subjects(lists[1]!.anchors)).to.deep.equal(['Vietnam National Root CA']);
    expect(subjects(lists[1]!.intermediates)).to.deep.equal(['VNPT-CA SHA2']);
  });

  it('a chain through a national intermediate ends at its root and is named after its list', () => {
    const store = trustStoreOf([], nationalTrustLists());
    for (const [file, list, root] of [
      ['national-vgca/vgca-cp-ca-g2.pem', 'national-vgca', 'RootCA chuyên dùng Chính phủ G2'],
      ['national-neac/vnpt-ca-sha2.pem', 'national-neac', 'Vietnam National Root CA'],
    ] as const) {
      const r = buildChain(certFromDer(der(join(CERTS, file))), [], store);
      expect(r.trusted, file).to.equal(true);
      expect(r.trustList).to.equal(list);
      expect(r.chain).to.have.length(2);
      expect(r.chain[1]!.attribute('CN')).to.equal(root);
    }
  });

  it('an intermediate is never an anchor: a chain that ends at one is not trusted', () => {
    // an operator's copy of the list without its root: only the intermediate is left
    const folder = join(tmp.dir, 'only-intermediate');
    mkdirSync(folder);
    copyFileSync(join(CERTS, 'national-vgca/vgca-cp-ca-g2.pem'), join(folder, 'ca.pem'));
    const list = loadTrustListFolder('national-vgca', folder);
    expect(list.anchors).to.have.length(0);
    expect(list.intermediates).to.have.length(1);
    const intermediate = certFromDer(der(join(CERTS, 'national-vgca/vgca-cp-ca-g2.pem')));
    const r = buildChain(intermediate, [], trustStoreOf([], [list]));
    expect(r.trusted).to.equal(false);
    expect(r.trustList).to.equal(null);
    // and with the whole shipped list it is trusted (the test above), so the root is what counts
    const whole = buildChain(intermediate, [], trustStoreOf([], nationalTrustLists()));
    expect(whole.trusted).to.equal(true);
  });

  it('the first list naming a certificate names it; plain anchors are "extra"', () => {
    const root = der(join(CERTS, 'national-neac/vn-national-root-ca.pem'));
    const store = trustStoreOf([root], nationalTrustLists());
    const cert = certFromDer(root);
    expect(buildChain(cert, [], store).trustList).to.equal('national-neac');
    expect(buildChain(cert, [], trustStoreOf([root])).trustList).to.equal('extra');
  });

  it('NATIONAL_TRUST: off/false/0/no switch it off, anything else leaves it on', () => {
    for (const v of ['off', 'OFF', 'false', '0', 'no'])
      expect(nationalTrustEnabled(v), v).to.equal(false);
    for (const v of [undefined, '', 'on', 'true', '1'])
      expect(nationalTrustEnabled(v), String(v)).to.equal(true);
  });
});
