import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  xmlSignerFromKey,
  type EdxmlPackage,
  type XmlSigner,
} from '../../../server/src/lib/edxml/index.js';

export function hasTool(name: string): boolean {
  return spawnSync('which', [name]).status === 0;
}

export type TestKey = { signer: XmlSigner; certPem: string; dir: string };

/** A self-signed key + certificate made by openssl (independent of the code under test). */
export function opensslKey(kind: 'rsa' | 'ec'): TestKey {
  const dir = mkdtempSync(join(tmpdir(), 'edxml-key-'));
  const keyArgs =
    kind === 'rsa'
      ? ['-newkey', 'rsa:2048']
      : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-sha256',
      '-days',
      '30',
      '-subj',
      '/C=VN/O=UBND tinh Thanh Hoa/CN=Con dau UBND tinh Thanh Hoa',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  const certPem = readFileSync(join(dir, 'cert.pem'), 'latin1');
  const key = createPrivateKey(readFileSync(join(dir, 'key.pem')));

  return {
    signer: xmlSignerFromKey(key, new Uint8Array(new X509Certificate(certPem).raw)),
    certPem,
    dir,
  };
}

export function cleanup(k: TestKey): void {
  rmSync(k.dir, { recursive: true, force: true });
}

/** Runs a tool on the XML written to a temp file; returns exit status and output. */
export function runOnXml(tool: string, args: (file: string) => string[], xml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'edxml-run-'));
  try {
    const file = join(dir, 'pkg.edxml');
    writeFileSync(file, xml);
    const r = spawnSync(tool, args(file), { encoding: 'utf8' });

    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** xmlsec1 verification with the certificate from KeyInfo, chain not checked (self-signed). */
export function xmlsecVerify(xml: string) {
  return runOnXml(
    'xmlsec1',
    (f) => ['--verify', '--enabled-key-data', 'x509', '--insecure', f],
    xml,
  );
}

/**
 * xmlsec1 verification that also checks the certificate chain: KeyInfo must carry the signing
 * certificate (and any intermediate), and the chain must end at `rootPem`.
 */
export function xmlsecVerifyWithRoot(xml: string, rootPem: string) {
  const dir = mkdtempSync(join(tmpdir(), 'edxml-root-'));
  try {
    const root = join(dir, 'root.pem');
    writeFileSync(root, rootPem);

    return runOnXml(
      'xmlsec1',
      (f) => ['--verify', '--enabled-key-data', 'x509', '--trusted-pem', root, f],
      xml,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl x509 -text` of a DER certificate: an independent reading of its extensions. */
export function opensslCertText(der: Uint8Array): string {
  return execFileSync(
    'openssl',
    ['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'],
    { input: Buffer.from(der), encoding: 'utf8' },
  );
}

export function samplePackage(pdf: Uint8Array): EdxmlPackage {
  return {
    header: {
      from: {
        organId: '000.00.00.H56',
        organName: 'UBND tỉnh Thanh Hóa',
        organAdd: '35 Đại lộ Lê Lợi, TP Thanh Hóa',
        email: 'vanthu@thanhhoa.gov.vn',
      },
      to: [
        { organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ' },
        { organId: '000.00.00.H49', organName: 'UBND tỉnh Quảng Ninh & <Vùng> "Đông Bắc"' },
      ],
      documentId: '000.00.00.H56,2026/11/28,123/UBND-VP',
      code: { number: '123', notation: 'UBND-VP' },
      promulgation: { place: 'Thanh Hóa', date: '2026-11-28' },
      documentType: { type: 1, typeDetail: 0, typeName: 'Công văn' },
      subject: 'V/v triển khai chuyển đổi số tại huyện Hoằng Hóa',
      content: 'Đề nghị các đơn vị phối hợp <khẩn> & báo cáo',
      signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn Tỉnh' },
      dueDate: '2026-12-15',
      toPlaces: ['Lưu: VT'],
      otherInfo: { priority: 1, pageAmount: 2, direction: false, appendixes: [] },
      responseFor: [
        {
          organId: '000.00.00.G22',
          code: '7816/VPCP-TTĐT',
          promulgationDate: '2026-11-01',
          documentId: '000.00.00.G22,2026/11/01,7816/VPCP-TTĐT',
        },
      ],
      steeringType: 1,
    },
    traces: [{ organId: '000.00.00.H56', timestamp: new Date('2026-11-28T02:00:00Z') }],
    bussiness: {
      docType: 0,
      reason: 'Văn bản điện tử mới',
      staffInfo: { department: 'Văn phòng', staff: 'Lê Thị Văn Thư', email: 'vt@thanhhoa.gov.vn' },
    },
    attachments: [
      {
        contentId: 'cid:main',
        name: '123-UBND-VP.pdf',
        contentType: 'application/pdf',
        bytes: pdf,
      },
    ],
  };
}
