import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { HUB_ORG_CODE } from '../../server/src/contracts/grants.js';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { Orgs } from '../../server/src/modules/orgs/org.model.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  sealDocument,
  type TestUser,
} from '../support/factories.js';
import { freePort } from '../support/process.js';
import { flipByteInSignedRange } from '../support/tamper.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

/**
 * Issue #22: the web client as offices use it, at a 1366×768 laptop and a 390×844 phone — the
 * verify page, the PDF viewer, phones, plain signature reports, the auditor's dashboard and its
 * Excel export, outbox/inbox, compose, and screens hidden from roles that cannot use them.
 */

const SIZES = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;
type Size = (typeof SIZES)[number];

/** Words of the old reports that lay users could not read (issue #22, item 4). */
const JARGON =
  /HASH_FAILURE|changed page|added dss|signature-widget|OCSP good|trust anchor|2\.5\.4\.|PAdES-BASELINE|TOTAL_(PASSED|FAILED)|INDETERMINATE|The file is not a PDF/;

function open(browser: Browser, size: Size): Promise<{ ctx: BrowserContext; page: Page }> {
  return newPage(browser, size, { acceptDownloads: true });
}

/** An A4 letter (two pages by default) whose heading and "Nơi nhận" sit at the left margin. */
async function letterPdf(pages = 2): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.TimesRomanBold);
  for (let n = 1; n <= pages; n++) {
    const page = pdf.addPage([595, 842]);
    page.drawText('UBND TINH THANH HOA', { x: 20, y: 800, size: 14, font });
    page.drawText(`Trang ${n}`, { x: 280, y: 420, size: 40, font });
    page.drawText('Noi nhan', { x: 20, y: 60, size: 12, font });
    page.drawRectangle({ x: 0, y: 0, width: 12, height: 842 }); // ink on the very left edge
  }

  return pdf.save();
}

/** True when the element scrolls sideways (content wider than its box). */
async function overflowsX(page: Page, selector = 'html'): Promise<number> {
  return page.evaluate(
    `(() => { const e = document.querySelector(${JSON.stringify(selector)}); return e ? e.scrollWidth - e.clientWidth : -1; })()`,
  );
}

describe('web client for real offices (Chromium, 1366×768 and 390×844) — issue #22', function () {
  this.timeout(240_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let tmp: string;
  let province: TOrg;
  let district: TOrg;
  let inspection: TOrg;
  let enterprise: TOrg;
  let clerkP: TestUser;
  let clerkD: TestUser;
  let auditor: TestUser;
  let entUser: TestUser;
  let good: string;
  let bad: string;
  let letterDocId: string;
  let reportDocId: string;
  let sealedDocId: string;
  let lateDeliveryRecipient: string;

  async function dispatch(user: TestUser, documentId: string, to: TOrg) {
    const res = await call(hub, user.token)(API.exchange.dispatch, {
      body: {
        documentId,
        recipients: [to.id],
      },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    return res.body;
  }

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-offices-'));
    const port = await freePort();
    ({ hub, browser, close } = await startClientHub({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    }));
    if (!(await Orgs(hub.ctx.db.conn).exists({ code: HUB_ORG_CODE })))
      await makeOrg(hub.ctx, {
        code: HUB_ORG_CODE,
        name: 'Trục liên thông văn bản LiênThông',
        level: 'central',
      });
    province = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    district = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: province.id,
    });
    inspection = await makeOrg(hub.ctx, {
      name: 'Thanh tra tỉnh Thanh Hóa',
      kind: 'inspection',
      level: 'department',
      parentId: province.id,
    });
    enterprise = await makeOrg(hub.ctx, {
      name: 'Công ty Cổ phần Sao Mai',
      kind: 'enterprise',
      level: 'unit',
      parentId: province.id,
    });
    clerkP = await makeUser(hub, province, ['clerk'], 'Lê Thị Văn Thư');
    clerkD = await makeUser(hub, district, ['clerk', 'org_admin'], 'Trần Đức Tiếp Nhận');
    auditor = await makeUser(hub, inspection, ['auditor'], 'Phạm Thanh Tra');
    entUser = await makeUser(hub, enterprise, ['enterprise_user'], 'Đỗ Doanh Nghiệp');
    const adminP = await makeUser(hub, province, ['org_admin'], 'Quản Trị Tỉnh');
    const seal = await api(hub, adminP.token)('POST', '/api/v1/certificates/seal', {
      algorithm: 'p256',
    });
    expect(seal.status, JSON.stringify(seal.body)).to.equal(201);

    // a sealed (B-LT) document, dispatched: the verify page's good and tampered files
    const sealed = await makeDocument(hub, clerkP, { subject: 'Thông báo kết luận giao ban' });
    sealedDocId = sealed.id;
    const d = await sealDocument(hub, clerkP, sealed.id, 'B-LT');
    const bytes = new Uint8Array(
      await (
        await fetch(
          `${hub.url}/api/v1/documents/${sealed.id}/versions/${d.currentVersionId}/file`,
          {
            headers: { authorization: `Bearer ${clerkP.token}` },
          },
        )
      ).arrayBuffer(),
    );
    good = join(tmp, 'Thông báo (đã ký).pdf');
    bad = join(tmp, 'Thông báo (bị sửa).pdf');
    writeFileSync(good, bytes);
    writeFileSync(bad, flipByteInSignedRange(bytes));
    await dispatch(clerkP, sealed.id, district);

    // a two-page letter, dispatched; and one more, unsigned, due days ago and still open (late)
    const letter = await makeDocument(
      hub,
      clerkP,
      {
        issueDate: '2026-11-20',
        subject: 'V/v tổng kết công tác chuyển đổi số năm 2026 và phương hướng năm 2027',
      },
      { bytes: await letterPdf(), originalName: 'cong-van-2-trang.pdf' },
    );
    letterDocId = letter.id;
    const report = await makeDocument(
      hub,
      clerkP,
      {
        type: 'Báo cáo',
        issueDate: '2026-11-20',
        subject: 'Báo cáo kinh tế - xã hội năm 2026',
        urgency: 'thuong',
      },
      { bytes: await letterPdf(12), originalName: 'bao-cao-12-trang.pdf' },
    );
    reportDocId = report.id;
    await dispatch(clerkP, letter.id, district);
    const late = await makeDocument(hub, clerkP, {
      subject: 'Báo cáo tiến độ giải ngân vốn đầu tư công',
      issueDate: '2026-11-20',
      dueDate: '2026-11-25',
    });
    await dispatch(clerkP, late.id, district);
    lateDeliveryRecipient = district.name;
  });

  after(async () => {
    await close?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  for (const size of SIZES) {
    it(`verify page (${size.name}): logged out, a tampered file shows no success styling; plain Vietnamese; a non-PDF refused in Vietnamese`, async () => {
      const { ctx, page } = await open(browser, size);
      await page.goto(`${hub.url}/verify`);
      await page.getByTestId('page-title').filter({ hasText: 'Kiểm tra chữ ký số' }).waitFor();
      const publicCall = page.waitForRequest((r) => r.url().endsWith('/api/v1/public/validations'));
      await page.locator('input[type="file"]').setInputFiles(bad);
      await publicCall;
      await page
        .getByTestId('verify-verdict')
        .filter({ hasText: 'Có chữ ký không hợp lệ' })
        .waitFor({ timeout: 60_000 });
      const report = page.getByTestId('verify-report');
      expect(await page.getByText('Cần đăng nhập').count()).to.equal(0);
      // nothing green: no success alert, icon, tag or progress anywhere on the page
      for (const sel of [
        '.ant-alert-success',
        '.anticon-check-circle',
        '.ant-tag-green',
        '.ant-tag-success',
        '[data-verdict="TOTAL_PASSED"]',
        '.ant-result-success',
      ])
        expect(await page.locator(sel).count(), sel).to.equal(0);
      // one plain sentence per signature, technical details folded
      const sentences = await page.getByTestId('verdict-sentence').allInnerTexts();
      expect(sentences).to.have.length(await page.getByTestId('verify-signature').count());
      expect(sentences[0]).to.equal(
        'Chữ ký không hợp lệ: nội dung văn bản đã bị thay đổi sau khi ký.',
      );
      expect(await report.innerText()).not.to.match(JARGON);
      await page.getByText('Chi tiết kỹ thuật').first().click();
      await page.locator('.ant-collapse-content-active').first().waitFor();
      expect(await report.innerText()).not.to.match(JARGON);
      await screenshot(page, `40-verify-tampered-${size.name}`);

      // the sealed original: valid, its level as it is (B-LT), no alarming yellow
      await page.locator('input[type="file"]').setInputFiles(good);
      await page
        .getByTestId('verify-verdict')
        .filter({ hasText: 'Mọi chữ ký đều hợp lệ' })
        .waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('verdict-sentence').first().innerText()).to.match(
        /^Chữ ký hợp lệ: /,
      );
      expect(await page.locator('.ant-alert-warning').count()).to.equal(0);
      expect(await report.innerText()).not.to.contain('Phủ toàn bộ văn bản');
      await page.getByText('Chi tiết kỹ thuật').first().click();
      const level = page.getByTestId('signature-level').first();
      await level.waitFor();
      expect(await level.getAttribute('data-level')).to.equal('PAdES-BASELINE-LT');
      expect(await level.innerText()).to.equal('Kiểm tra được lâu dài (PAdES B-LT)');
      expect(await report.innerText()).not.to.match(JARGON);
      await screenshot(page, `41-verify-valid-${size.name}`);

      // a file that is not a PDF: a Vietnamese sentence, nothing sent
      const txt = join(tmp, 'ghi-chu.pdf');
      writeFileSync(txt, 'Đây không phải tệp PDF');
      await page.locator('input[type="file"]').setInputFiles(txt);
      const err = page.getByTestId('verify-error');
      await err.waitFor();
      expect(await err.innerText()).to.contain('không phải là tệp PDF');
      expect(await err.innerText()).not.to.match(JARGON);
      expect(await overflowsX(page)).to.be.at.most(0);
      await ctx.close();
    });
  }

  for (const size of SIZES) {
    it(`PDF viewer (${size.name}): the whole page width is visible, page numbers, navigation and zoom`, async () => {
      const { ctx, page } = await open(browser, size);
      await loginUi(page, hub.url, clerkD.username, `/documents/${letterDocId}`);
      const canvas = page.getByTestId('pdf-page').first();
      await canvas.waitFor({ timeout: 30_000 });
      await page.waitForSelector('[data-testid="pdf-page"][data-rendered="true"]');
      const box = page.getByTestId('pdf-scroll');
      // the page is drawn again when the viewer's width settles (scroll bars, side column)
      await page.waitForFunction(`(() => {
        const c = document.querySelector('[data-testid="pdf-page"]');
        const b = document.querySelector('[data-testid="pdf-scroll"]');
        return Math.abs(c.getBoundingClientRect().width - (b.clientWidth - 32)) <= 2 && c.dataset.rendered;
      })()`);
      await screenshot(page, `42-viewer-fit-${size.name}`);
      const c = (await canvas.boundingBox())!;
      const b = (await box.boundingBox())!;
      // measured from the canvas box: both edges of the page inside the viewer and the window
      expect(c.x, 'left edge').to.be.at.least(b.x);
      expect(c.x + c.width, 'right edge').to.be.at.most(b.x + b.width);
      expect(c.x).to.be.at.least(0);
      expect(c.x + c.width).to.be.at.most(size.width);
      expect(c.width, 'fit to width, not a thumbnail').to.be.at.least(b.width - 40);
      expect(await overflowsX(page, '[data-testid="pdf-scroll"]')).to.be.at.most(0);
      const number = page.getByTestId('pdf-page-number');
      expect(await number.innerText()).to.equal('Trang 1/2');
      await screenshot(page, `42-viewer-fit-${size.name}`);
      await page.getByTestId('pdf-next').click();
      await number.filter({ hasText: 'Trang 2/2' }).waitFor();
      const second = (await page.getByTestId('pdf-page').nth(1).boundingBox())!;
      expect(second.y).to.be.at.least(b.y - 1);
      expect(second.y).to.be.below(b.y + b.height);
      await page.getByTestId('pdf-prev').click();
      await number.filter({ hasText: 'Trang 1/2' }).waitFor();
      // zoomed in, the page is wider than the viewer and its left edge can be scrolled to
      await page.getByTestId('pdf-zoom-in').click();
      await page.waitForFunction(
        `document.querySelector('[data-testid="pdf-page"]').getBoundingClientRect().width > document.querySelector('[data-testid="pdf-scroll"]').clientWidth`,
      );
      await box.evaluate((e) => (e.scrollLeft = 0));
      const zc = (await canvas.boundingBox())!;
      const zb = (await box.boundingBox())!;
      expect(zc.x).to.be.at.least(zb.x);
      expect(zc.x).to.be.below(zb.x + 24);
      await page.getByTestId('pdf-fit').click();
      await page.waitForFunction(
        `document.querySelector('[data-testid="pdf-page"]').getBoundingClientRect().width <= document.querySelector('[data-testid="pdf-scroll"]').clientWidth`,
      );
      await ctx.close();
    });
  }

  it('a 12-page report opens with its first pages drawn; the others are drawn as they scroll into view', async () => {
    const { ctx, page } = await open(browser, SIZES[0]);
    await loginUi(page, hub.url, clerkP.username, `/documents/${reportDocId}`);
    await page.waitForSelector('[data-testid="pdf-page"][data-rendered="true"]');
    const rendered = page.locator('[data-testid="pdf-page"][data-rendered="true"]');
    expect(await page.getByTestId('pdf-page').count()).to.equal(12);
    // laid out at full height already (the scroll bar is true), but not drawn
    expect(await rendered.count()).to.be.within(1, 4);
    const last = page.getByTestId('pdf-page').nth(11);
    expect((await last.boundingBox())!.height).to.be.above(300);
    expect(await last.getAttribute('data-rendered')).to.equal(null);
    await page.getByTestId('pdf-scroll').evaluate((e) => (e.scrollTop = e.scrollHeight));
    await page.waitForSelector('[data-page="12"] [data-rendered="true"]');
    expect(await page.locator('[data-page="6"] [data-rendered="true"]').count()).to.equal(0);
    expect(await page.getByTestId('pdf-page-number').innerText()).to.equal('Trang 12/12');
    await ctx.close();
  });

  it('phone: a drawer menu, a header that fits, the inbox as cards (subject, number, sender, status)', async () => {
    const { ctx, page } = await open(browser, SIZES[1]);
    await loginUi(page, hub.url, clerkD.username);
    const card = page.getByTestId('inbox-card').filter({ hasText: 'V/v tổng kết công tác' });
    await card.waitFor();
    const text = await card.innerText();
    expect(text).to.contain('V/v tổng kết công tác chuyển đổi số năm 2026');
    expect(text).to.match(/\d+\/UBND-VP/);
    expect(text).to.contain(province.name);
    expect(text).to.contain('Đã đến');
    expect(await page.locator('.ant-layout-sider').count()).to.equal(0);
    expect(await overflowsX(page, 'header')).to.be.at.most(0);
    expect(await overflowsX(page)).to.be.at.most(0);
    // nothing in the header is squeezed into a column of letters
    const heights = await page.$$eval('header *', (els) =>
      els.map((e) => e.getBoundingClientRect().height),
    );
    expect(Math.max(...heights)).to.be.at.most(56);
    await screenshot(page, '43-phone-inbox');
    await page.getByTestId('menu-toggle').click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByRole('menuitem', { name: 'Văn bản đi' }).waitFor();
    await new Promise((r) => setTimeout(r, 500)); // the slide-in, for the screenshot
    await screenshot(page, '44-phone-drawer');
    await drawer.getByRole('menuitem', { name: 'Soạn và gửi' }).click();
    await page.getByTestId('page-title').filter({ hasText: 'Soạn và gửi văn bản' }).waitFor();
    await drawer.waitFor({ state: 'hidden' });
    // compose dropdowns wide enough for their value, not "Côn…"
    const type = page.locator('.ant-select-selection-item', { hasText: 'Công văn' }).first();
    expect(await type.evaluate((e) => e.scrollWidth <= e.clientWidth)).to.equal(true);
    expect((await type.boundingBox())!.width).to.be.at.least(200);
    expect(await overflowsX(page)).to.be.at.most(0);
    await screenshot(page, '45-phone-compose');
    await ctx.close();
  });

  it('laptop: the inbox subject column is wide; outbox reasons wrap outside the status tag (both sizes)', async () => {
    const { ctx, page } = await open(browser, SIZES[0]);
    await loginUi(page, hub.url, clerkD.username);
    const th = page.getByRole('columnheader', { name: 'Trích yếu' });
    await th.waitFor();
    expect((await th.boundingBox())!.width).to.be.at.least(360);
    const cell = page.getByTestId('inbox-subject').filter({ hasText: 'V/v tổng kết công tác' });
    // 70 characters fit on two lines at most
    expect((await cell.boundingBox())!.height).to.be.at.most(48);
    await ctx.close();

    // the district rejects the sealed document with a long reason
    const reason =
      'Văn bản gửi không đúng thẩm quyền giải quyết của UBND huyện, đề nghị chuyển Sở Nội vụ xem xét theo quy định hiện hành';
    const inbox = (await call(hub, clerkD.token)(API.exchange.inbox)).body;
    const delivery = inbox.items.find((i) => i.documentId === sealedDocId)!;
    const rej = await api(hub, clerkD.token)('POST', `/api/v1/deliveries/${delivery.id}/status`, {
      code: '02',
      reason,
    });
    expect(rej.status, JSON.stringify(rej.body)).to.equal(200);
    for (const size of SIZES) {
      const { ctx: c2, page: p2 } = await open(browser, size);
      await loginUi(p2, hub.url, clerkP.username, '/outbox');
      const row = p2.locator(`[data-delivery="${delivery.id}"]`);
      const tag = row.locator('[data-status="02"]');
      await tag.waitFor();
      expect(await tag.innerText()).to.equal('02 · Từ chối');
      expect(await row.getByTestId('outbox-reason').innerText()).to.equal(`Lý do: ${reason}`);
      const t = (await tag.boundingBox())!;
      expect(t.x + t.width).to.be.at.most(size.width);
      expect(await overflowsX(p2)).to.be.at.most(0);
      await screenshot(p2, `46-outbox-reason-${size.name}`);
      await c2.close();
    }
  });

  for (const size of SIZES) {
    it(`compose (${size.name}): errors at the drop zone, no green bar for a rejected file, Vietnamese Ký hiệu and Số, no hub among recipients`, async () => {
      const { ctx, page } = await open(browser, size);
      await loginUi(page, hub.url, clerkP.username, '/compose');
      await page.getByTestId('page-title').filter({ hasText: 'Soạn và gửi văn bản' }).waitFor();
      expect(await page.locator('input#number').getAttribute('placeholder')).to.equal(
        'Tự động cấp',
      );
      await page.getByLabel('Ký hiệu').fill('UB ND');
      await page.getByTestId('compose-send').click();
      const fileError = page.getByTestId('compose-file-error');
      await fileError.waitFor();
      expect(await fileError.innerText()).to.equal('Hãy chọn tệp PDF của văn bản');
      const drop = (await page.locator('.ant-upload-drag').boundingBox())!;
      const e = (await fileError.boundingBox())!;
      expect(e.y - (drop.y + drop.height), 'the error sits under the drop zone').to.be.below(60);
      await page
        .getByText(
          'Ký hiệu chỉ gồm chữ, số, dấu chấm (.) và dấu gạch ngang (-), không có khoảng trắng',
        )
        .waitFor();
      expect(await page.getByText('A-Z, 0-9').count()).to.equal(0);
      // the hub itself is no recipient
      await page.getByTestId('org-node').filter({ hasText: district.name }).first().waitFor();
      expect(
        await page.getByTestId('org-node').filter({ hasText: 'Trục liên thông' }).count(),
      ).to.equal(0);
      // a fake PDF the hub rejects: a red bar and the hub's reason at the drop zone
      const fake = join(tmp, 'gia-mao.pdf');
      writeFileSync(fake, '%PDF-1.7\nkhông phải nội dung PDF thật\n');
      await page.locator('input[type="file"]').setInputFiles(fake);
      await page.getByLabel('Ký hiệu').fill('UBND-VP');
      await page.getByLabel('Địa danh').fill('Thanh Hóa');
      await page.getByLabel('Trích yếu').fill('V/v thử tệp giả mạo');
      await page.getByLabel('Người ký', { exact: true }).fill('Nguyễn Văn Tỉnh');
      await page.getByLabel('Chức vụ').fill('Chủ tịch');
      await page.getByRole('button', { name: 'Chỉ lưu (chưa gửi)' }).click();
      await page.locator('[data-testid="upload-progress"][data-state="failed"]').waitFor();
      expect(await page.locator('.ant-progress-status-success').count()).to.equal(0);
      expect(await page.locator('.ant-progress-status-exception').count()).to.equal(1);
      expect((await fileError.innerText()).length).to.be.greaterThan(5);
      expect(await overflowsX(page)).to.be.at.most(0);
      await screenshot(page, `47-compose-rejected-${size.name}`);
      await ctx.close();
    });
  }

  for (const size of SIZES) {
    it(`auditor (${size.name}): the province's figures, accent-insensitive picker, names in drill-downs, late items at 0 %, deliveries of a document`, async () => {
      const { ctx, page } = await open(browser, size);
      await loginUi(page, hub.url, auditor.username, '/dashboard');
      await page.getByTestId('page-title').filter({ hasText: 'Thống kê, giám sát' }).waitFor();
      const picker = page.getByTestId('dash-org');
      await picker.locator('.ant-select-selection-item', { hasText: province.name }).waitFor();
      const seal = page.getByTestId('kpi-sealSignatureRate');
      await seal.locator('.ant-statistic-content-value', { hasText: '%' }).waitFor();
      // 1 sealed of 3 outgoing documents: Vietnamese writes 33,3 %
      expect(await seal.locator('.ant-statistic-content-value').innerText()).to.equal(
        '33,3\u00a0%',
      );
      const text = await page.locator('main').innerText();
      expect(text).to.contain('Lượt gửi');
      expect(text).not.to.match(/\/api\/|POST |\d\.\d%/);
      // "UBND tinh" without accents finds the province
      await picker.click();
      await page.keyboard.type('UBND tinh');
      await page
        .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: province.name })
        .waitFor();
      await page.keyboard.press('Escape');
      // the signature-rate drill-down lists documents by number and subject, never ids
      await seal.click();
      const dialog = page.getByTestId('drill-down');
      await dialog.getByText('Đạt (1)').click();
      const met = dialog.locator('.ant-tabs-tabpane-active [data-testid="drill-item"]');
      await met.first().waitFor();
      expect(await met.first().innerText()).to.match(
        /^\d+\/UBND-VP — Thông báo kết luận giao ban$/,
      );
      expect(await dialog.innerText()).not.to.match(/[0-9a-f]{24}/);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      // on time 0 %: the late delivery is listed, not "Không có dữ liệu"
      const onTime = page.getByTestId('kpi-onTimeRate');
      expect(await onTime.locator('.ant-statistic-content-value').innerText()).to.equal('0\u00a0%');
      await onTime.click();
      await dialog.getByText('Chưa đạt (1)').waitFor();
      const late = dialog.locator('.ant-tabs-tabpane-active [data-testid="drill-item"]');
      expect(await late.first().innerText()).to.match(
        new RegExp(`Báo cáo tiến độ giải ngân vốn đầu tư công \\(${lateDeliveryRecipient}\\)$`),
      );
      await screenshot(page, `48-dashboard-late-${size.name}`);
      await page.keyboard.press('Escape');
      // the re-check card speaks of buttons, not endpoints
      expect(await page.getByTestId('revalidation').innerText()).not.to.match(/\/api\/|POST/);
      expect(await overflowsX(page)).to.be.at.most(0);
      await screenshot(page, `49-dashboard-${size.name}`);

      // an auditor opening a dispatched document sees its deliveries, and cannot act on them
      await page.goto(`${hub.url}/documents/${letterDocId}`);
      await page.getByTestId('timeline').filter({ hasText: district.name }).waitFor();
      expect(await page.getByRole('button', { name: 'Tiếp nhận' }).count()).to.equal(0);
      expect(await page.getByTestId('open-sign').count()).to.equal(0);
      await ctx.close();
    });
  }

  it('auditors read deliveries of a document, never write them; a stranger reads nothing', async () => {
    const ds = await call(hub, auditor.token)(API.exchange.ofDocument, {
      params: { id: letterDocId },
    });
    expect(ds.status).to.equal(200);
    const list = ds.body;
    expect(list.map((d) => d.recipientName)).to.deep.equal([district.name]);
    const write = await api(hub, auditor.token)(
      'POST',
      `/api/v1/deliveries/${list[0]!.id}/status`,
      {
        code: '03',
      },
    );
    expect(write.status).to.be.oneOf([403, 404]);
    const stranger = await api(hub, entUser.token)(
      'GET',
      `/api/v1/documents/${letterDocId}/deliveries`,
    );
    expect(stranger.status).to.equal(404);
    const recipient = await api(hub, clerkD.token)(
      'GET',
      `/api/v1/documents/${letterDocId}/deliveries`,
    );
    expect(recipient.status).to.equal(404);
  });

  it('the Excel export opens with typed cells: dates, percentages, hours, Vietnamese headers; CSV kept', async () => {
    const { ctx, page } = await open(browser, SIZES[0]);
    await loginUi(page, hub.url, auditor.username, '/dashboard');
    await page
      .getByTestId('kpi-sealSignatureRate')
      .locator('.ant-statistic-content-value', { hasText: '%' })
      .waitFor();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-xlsx').click();
    const file = join(tmp, (await download).suggestedFilename());
    await (await download).saveAs(file);
    await ctx.close();
    expect(file).to.match(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(readFileSync(file)).buffer);
    const summary = wb.getWorksheet('Tổng hợp')!;
    expect(summary.getCell('A1').value).to.equal('Cơ quan');
    expect(summary.getCell('B1').value).to.equal(province.name);
    const from = summary.getCell('B2');
    expect(from.value).to.be.instanceOf(Date);
    expect(from.numFmt).to.equal('dd/mm/yyyy');
    const rows: ExcelJS.Row[] = [];
    summary.eachRow((r) => rows.push(r));
    const head = rows.find((r) => r.getCell(1).value === 'Chỉ số')!;
    expect(head.values).to.include.members(['Chỉ số', 'Giá trị', 'Đơn vị', 'Tử số', 'Mẫu số']);
    const sealRow = rows.find(
      (r) => r.getCell(1).value === 'Tỷ lệ văn bản đi có chữ ký số của cơ quan',
    )!;
    expect(sealRow.getCell(2).value).to.be.closeTo(1 / 3, 1e-9);
    expect(sealRow.getCell(2).numFmt).to.equal('0.0%');
    expect(sealRow.getCell(4).value).to.equal(1);
    expect(sealRow.getCell(5).value).to.equal(3);
    const hours = rows.find((r) => /\(giờ\)$/.test(String(r.getCell(1).value)));
    expect(hours, 'durations in hours').to.not.equal(undefined);
    expect(hours!.getCell(3).value).to.equal('giờ');
    const counts = rows.filter((r) => r.getCell(3).value === 'số lượng');
    expect(counts.length).to.be.greaterThan(0);
    for (const r of counts) {
      expect(typeof r.getCell(2).value, String(r.getCell(1).value)).to.equal('number');
      expect(r.getCell(2).numFmt).to.equal('#,##0');
    }
    const series = wb.getWorksheet('Theo kỳ')!;
    const data: ExcelJS.Row[] = [];
    series.eachRow((r) => data.push(r));
    const sHead = data.find((r) => r.getCell(1).value === 'Kỳ')!;
    expect(sHead.getCell(2).value).to.equal('Từ ngày');
    const first = data[data.indexOf(sHead) + 1]!;
    expect(first.getCell(2).value).to.be.instanceOf(Date);
    expect(first.getCell(2).numFmt).to.equal('dd/mm/yyyy');
    const start = first.getCell(2).value as Date;
    expect(start.getUTCDate()).to.equal(1); // a month starts on the 1st, Vietnam calendar
    // machines keep the CSV
    const csv = await fetch(`${hub.url}/api/v1/stats/series?orgId=${province.id}`, {
      headers: { authorization: `Bearer ${auditor.token}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).to.match(/text\/csv/);
    // and nobody without the role gets the workbook
    const denied = await fetch(`${hub.url}/api/v1/stats/export.xlsx`, {
      headers: { authorization: `Bearer ${entUser.token}` },
    });
    expect(denied.status).to.equal(403);
  });

  for (const size of SIZES) {
    it(`roles (${size.name}): an enterprise user sees no statistics, outbox or compose; a page it cannot use says so plainly`, async () => {
      const { ctx, page } = await open(browser, size);
      await loginUi(page, hub.url, entUser.username);
      await page.getByTestId('page-title').filter({ hasText: 'Văn bản đến' }).waitFor();
      if (size.name === 'phone') await page.getByTestId('menu-toggle').click();
      const items = page.getByRole('menuitem');
      await items.first().waitFor();
      const names = await items.allInnerTexts();
      expect(names).to.include('Văn bản đến');
      expect(names).to.include('Kiểm tra chữ ký');
      for (const hidden of ['Thống kê', 'Văn bản đi', 'Soạn và gửi', 'Quản trị'])
        expect(names.join('|')).not.to.contain(hidden);
      await page.goto(`${hub.url}/dashboard`);
      const forbidden = page.getByTestId('forbidden');
      await forbidden.waitFor();
      expect(await forbidden.innerText()).to.contain(
        'Tài khoản của bạn không dùng được trang này.',
      );
      expect(await page.locator('body').innerText()).not.to.match(/\/api\/|endpoint/i);
      await ctx.close();
    });
  }
});
