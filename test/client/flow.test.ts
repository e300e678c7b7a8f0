import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { trustAnchors } from '../../server/src/modules/pki/trust.js';
import { validatePdf } from '../../server/src/lib/validation/index.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  tinyPdf,
  TEST_PASSWORD,
  type TestUser,
} from '../support/factories.js';
import { freePort } from '../support/process.js';
import { flipByteInSignedRange } from '../support/tamper.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

/** True when the canvas has more than one colour: pdf.js really drew the page. */
async function canvasHasInk(page: Page): Promise<boolean> {
  return page.evaluate(`(() => {
    const c = document.querySelector('[data-testid="pdf-page"]');
    if (!c || !c.width) return false;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 128 && d[i + 3] > 0) dark++;
    return dark > 50;
  })()`);
}

describe('web client (Chromium): compose and send, pdf.js view, sign, verify, dashboard', function () {
  this.timeout(180_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let tmp: string;
  let orgA: TOrg;
  let orgB: TOrg;
  let clerkA: TestUser;
  let clerkB: TestUser;
  let auditor: TestUser;
  let validationsLanded = false;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-client-flow-'));
    const port = await freePort();
    ({ hub, browser, close } = await startClientHub({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    }));
    orgA = await makeOrg(hub.ctx, {
      name: 'Sở Thông tin và Truyền thông Thanh Hóa',
      level: 'department',
    });
    orgB = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: orgA.id,
    });
    clerkA = await makeUser(hub, orgA, ['clerk'], 'Lê Thị Văn Thư');
    clerkB = await makeUser(hub, orgB, ['clerk'], 'Trần Đức Tiếp Nhận');
    auditor = await makeUser(hub, orgA, ['auditor'], 'Phạm Kiểm Toán');
    const admin = await makeUser(hub, orgA, ['org_admin'], 'Quản Trị Sở');
    const seal = await api(hub, admin.token)('POST', '/api/v1/certificates/seal', {
      algorithm: 'p256',
    });
    expect(seal.status, JSON.stringify(seal.body)).to.equal(201);
    const probe = await api(hub, clerkA.token)('POST', '/api/v1/validations', undefined, {
      'content-type': 'application/pdf',
    });
    validationsLanded = probe.status !== 404;
  });

  after(async () => {
    await close?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * Until the hub mounts POST /api/v1/validations, the browser's request is answered in this
   * process by the very library that endpoint will call, against the hub's own trust anchors.
   */
  async function provideValidation(page: Page): Promise<void> {
    if (validationsLanded) return;
    const anchors = await trustAnchors(hub.ctx);
    await page.route('**/api/v1/validations', async (route) => {
      const body = route.request().postDataBuffer();
      const report = await validatePdf(new Uint8Array(body ?? Buffer.alloc(0)), {
        trustAnchors: anchors,
        online: true,
      });
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify(report),
      });
    });
  }

  it('composes with Decree 30 metadata, uploads with progress, sends; the recipient sees it live', async () => {
    const b = await newPage(browser);
    await loginUi(b.page, hub.url, clerkB.username);
    await b.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();

    const a = await newPage(browser);
    await loginUi(a.page, hub.url, clerkA.username, '/compose');
    await a.page.getByTestId('page-title').filter({ hasText: 'Soạn và gửi văn bản' }).waitFor();
    // validation first: nothing filled in
    await a.page.getByTestId('compose-send').click();
    await a.page.getByText('Vui lòng nhập ký hiệu').waitFor();
    const pdfFile = join(tmp, 'Kế hoạch chuyển đổi số.pdf');
    writeFileSync(pdfFile, await tinyPdf('Ke hoach chuyen doi so 2027'));
    await a.page.locator('input[type="file"]').setInputFiles(pdfFile);
    await a.page.getByText('Kế hoạch chuyển đổi số.pdf').waitFor();
    await a.page.getByLabel('Ký hiệu').fill('KH-STTTT');
    await a.page.getByLabel('Địa danh').fill('Thanh Hóa');
    await a.page.getByLabel('Trích yếu').fill('Kế hoạch chuyển đổi số năm 2027 của tỉnh');
    await a.page.getByLabel('Người ký').fill('Nguyễn Văn Giám Đốc');
    await a.page.getByLabel('Chức vụ').fill('Giám đốc');
    await a.page.getByLabel('Tìm cơ quan (gõ không dấu cũng được)').fill('hoang hoa');
    const node = a.page.locator('.ant-tree-treenode', { hasText: 'UBND huyện Hoằng Hóa' });
    await node.locator('.ant-tree-checkbox').click();
    await a.page
      .getByTestId('recipients-count')
      .filter({ hasText: 'Đã chọn 1 nơi nhận' })
      .waitFor();
    await screenshot(a.page, '10-compose');
    await a.page.getByTestId('compose-send').click();
    await a.page.waitForFunction('/^\\/documents\\/[0-9a-f]{24}$/.test(location.pathname)');
    await a.page
      .getByTestId('doc-subject')
      .filter({ hasText: 'Kế hoạch chuyển đổi số năm 2027 của tỉnh' })
      .waitFor();
    // left the compose page (checked once the lazily loaded document screen replaced it)
    expect(await a.page.getByTestId('upload-progress').count()).to.equal(0);
    expect(await a.page.getByTestId('doc-code').innerText()).to.match(/^Công văn \d+\/KH-STTTT$/);
    await a.page.getByTestId('pdf-page').first().waitFor();
    await a.page.waitForSelector('[data-testid="pdf-page"][data-rendered="true"]');
    expect(await canvasHasInk(a.page)).to.equal(true);
    // the sender's timeline lists the recipient at 01
    await a.page.getByTestId('timeline').filter({ hasText: 'UBND huyện Hoằng Hóa' }).waitFor();
    await screenshot(a.page, '11-document-view');

    await b.page
      .locator('tr', { hasText: 'Kế hoạch chuyển đổi số năm 2027 của tỉnh' })
      .waitFor({ timeout: 10_000 });
    await screenshot(b.page, '12-inbox-after-compose');
    await a.ctx.close();
    await b.ctx.close();
  });

  it('signs with the organization seal at a clicked position; the new version shows a valid signature', async () => {
    const doc = await makeDocument(hub, clerkA, {
      subject: 'Quyết định phê duyệt dự án Hoằng Hóa',
    });
    const { ctx, page } = await newPage(browser);
    await provideValidation(page);
    await loginUi(page, hub.url, clerkA.username, `/documents/${doc.id}`);
    await page.getByTestId('open-sign').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Con dấu cơ quan').click();
    // the options arrive with GET /certificates and may re-render under the click on a loaded
    // machine: pick once listed, check the pick took, and pick again if it did not
    const picked = dialog.locator('.ant-select-selection-item', { hasText: orgA.name });
    // (a dropdown closed by a re-render leaves its option hidden: give up on it quickly, reopen)
    for (let attempt = 0; attempt < 6 && !(await picked.isVisible()); attempt++) {
      // the only certificate may get preselected meanwhile: its label then covers the input
      await dialog
        .getByLabel('Chứng thư số')
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: orgA.name })
        .first()
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      await picked.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await picked.waitFor();
    // the hub's proposed position first (Decree 30 engine), then the clerk moves it by a click
    await dialog.getByTestId('sign-marker').waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await dialog
      .getByTestId('placer-page')
      .first()
      .click({ position: { x: 110, y: 400 } });
    await dialog
      .getByText('vị trí bạn chọn trên trang 1/1')
      .waitFor()
      .catch(async (e: unknown) => {
        throw new Error(`${String(e)}\n${await dialog.innerText()}`);
      });
    await dialog.getByLabel('Nhập lại mật khẩu để ký').fill(TEST_PASSWORD);
    await screenshot(page, '13-sign-dialog');
    await dialog.getByTestId('sign-submit').click();
    await page.getByText('Đã ký văn bản').waitFor({ timeout: 30_000 });
    await page.getByTestId('version').filter({ hasText: 'Phiên bản 2 · Ký số' }).waitFor();
    await page
      .locator('[data-testid="signatures"] [data-verdict="TOTAL_PASSED"]')
      .waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 800));
    await screenshot(page, '14-document-signed');
    await ctx.close();

    // the stored file: a real PAdES signature, as an independent tool sees it
    const after = (await call(hub, clerkA.token)(API.documents.get, { params: { id: doc.id } }))
      .body;
    expect(after.versions).to.have.length(2);
    const res = await fetch(
      `${hub.url}/api/v1/documents/${doc.id}/versions/${after.currentVersionId}/file`,
      {
        headers: { authorization: `Bearer ${clerkA.token}` },
      },
    );
    const file = join(tmp, 'signed.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const pdfsig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(pdfsig.stdout).to.match(/Signature Validation: Signature is Valid/);
  });

  it('verify page: a signed PDF reads "Hợp lệ" (TOTAL_PASSED), the same file tampered "Không hợp lệ"', async () => {
    const doc = await makeDocument(hub, clerkA, { subject: 'Thông báo kết luận cuộc họp' });
    const signed = await call(hub, clerkA.token)(API.signing.sign, {
      params: { id: doc.id },
      body: {
        certificateId: (
          await call(hub, clerkA.token)(API.certificates.list, { query: { kind: 'seal' } })
        ).body[0]!.id,
        kind: 'seal',
        level: 'B-LT',
        confirmPassword: TEST_PASSWORD,
      },
    });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(201);
    const d = signed.body;
    const bytes = new Uint8Array(
      await (
        await fetch(`${hub.url}/api/v1/documents/${doc.id}/versions/${d.currentVersionId}/file`, {
          headers: { authorization: `Bearer ${clerkA.token}` },
        })
      ).arrayBuffer(),
    );
    const good = join(tmp, 'Thông báo (đã ký).pdf');
    const bad = join(tmp, 'tampered.pdf');
    writeFileSync(good, bytes);
    writeFileSync(bad, flipByteInSignedRange(bytes));

    const { ctx, page } = await newPage(browser);
    await provideValidation(page);
    await loginUi(page, hub.url, clerkA.username);
    await page.goto(`${hub.url}/verify`);
    await page.getByTestId('page-title').filter({ hasText: 'Kiểm tra chữ ký số' }).waitFor();
    await page.locator('input[type="file"]').setInputFiles(good);
    await page
      .getByTestId('verify-verdict')
      .filter({ hasText: 'Mọi chữ ký đều hợp lệ' })
      .waitFor({ timeout: 30_000 });
    expect(
      await page.locator('[data-testid="verify-signature"] [data-verdict="TOTAL_PASSED"]').count(),
    ).to.be.greaterThan(0);
    expect(await page.getByTestId('verify-report').innerText()).to.contain(orgA.name);
    await screenshot(page, '15-verify-passed');
    await page.locator('input[type="file"]').setInputFiles(bad);
    await page
      .getByTestId('verify-verdict')
      .filter({ hasText: 'Có chữ ký không hợp lệ' })
      .waitFor({ timeout: 30_000 });
    expect(
      await page.locator('[data-testid="verify-signature"] [data-verdict="TOTAL_FAILED"]').count(),
    ).to.be.greaterThan(0);
    await screenshot(page, '16-verify-failed');
    await ctx.close();
  });

  it('auditor dashboard: figures from /stats with charts, and a drill-down to the documents', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, auditor.username, '/dashboard');
    await page.getByTestId('page-title').filter({ hasText: 'Thống kê, giám sát' }).waitFor();
    const sent = page.getByTestId('kpi-deliveriesSent');
    await sent.waitFor();
    await page.waitForFunction(
      `(() => { const e = document.querySelector('[data-testid="kpi-deliveriesSent"] .ant-statistic-content-value'); return e && Number(e.textContent) >= 1; })()`,
    );
    expect(
      await page.locator('[data-testid="chart-volume"] .recharts-bar-rectangle').count(),
    ).to.be.greaterThan(0);
    await screenshot(page, '17-dashboard');
    await sent.click();
    await page.getByRole('dialog').getByText('Kế hoạch chuyển đổi số năm 2027 của tỉnh').waitFor();
    await ctx.close();
  });
});
