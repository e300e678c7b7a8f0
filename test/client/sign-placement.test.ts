/**
 * The sign dialog (issues #19 and #22 item 10) in Chromium at 1366×768 and 390×844: the only
 * certificate preselected, labelled options, visible by default, the engine's Decree 30 position
 * shown on the page preview before signing (in words, not PDF coordinates), the box movable and
 * checked by the hub, and the "Ký" button fully on screen.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TDocument } from '../../server/src/contracts/documents.js';
import type { Hub } from '../../server/src/hub.js';
import { createDocument } from '../../server/src/modules/documents/create-document.js';
import { ZDocumentMeta } from '../../server/src/contracts/documents.js';
import { corpusBytes } from '../support/corpus.js';
import { api, makeOrg, makeUser, TEST_PASSWORD, type TestUser } from '../support/factories.js';
import { changed, render, words } from '../server/pades/render.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

describe('sign dialog (Chromium): Decree 30 position on the preview, movable, Ký on screen', function () {
  this.timeout(180_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let leader: TestUser;
  let letter: Uint8Array;

  before(async () => {
    ({ hub, browser, close } = await startClientHub());
    const org = await makeOrg(hub.ctx, { name: 'Cục Chuyển đổi số' });
    const admin = await makeUser(hub, org, ['org_admin'], 'Quản Trị Cục');
    leader = await makeUser(hub, org, ['signer'], 'Trần Thị Bình');
    const cert = await api(hub, admin.token)('POST', '/api/v1/certificates/personal', {
      userId: leader.id,
    });
    expect(cert.status, JSON.stringify(cert.body)).to.equal(201);
    letter = await corpusBytes('decree30-word');
  });
  after(async () => close());

  async function newLetter(): Promise<TDocument> {
    const meta = ZDocumentMeta.parse({
      type: 'Công văn',
      notation: 'CĐS-VP',
      issuePlace: 'Hà Nội',
      issueDate: '2026-01-05',
      subject: 'V/v triển khai ký số văn bản điện tử',
      signer: { fullName: 'Trần Thị Bình', position: 'Phó Cục trưởng' },
    });
    return createDocument(
      hub.ctx,
      { kind: 'user', id: leader.id, orgId: leader.orgId, roles: leader.roles, name: 'Văn thư' },
      meta,
      { bytes: letter, originalName: 'cong-van.pdf' },
    );
  }

  async function openDialog(page: Page, doc: TDocument) {
    await loginUi(page, hub.url, leader.username, `/documents/${doc.id}`);
    await page.getByTestId('open-sign').click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByTestId('sign-marker')
      .waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => {
        await screenshot(page, 'sign-placement-failed');
        throw new Error(`${String(e)}\n${await dialog.innerText()}`);
      });
    return dialog;
  }

  /** The marker's box relative to the page canvas, in CSS pixels, and the canvas' width. */
  async function markerOnCanvas(page: Page) {
    return page.evaluate(`(() => {
      const c = document.querySelector('[data-testid="placer-page"]').getBoundingClientRect();
      const m = document.querySelector('[data-testid="sign-marker"]').getBoundingClientRect();
      return { x: m.left - c.left, top: m.top - c.top, w: m.width, h: m.height, cw: c.width, ch: c.height };
    })()`) as Promise<{ x: number; top: number; w: number; h: number; cw: number; ch: number }>;
  }

  /** True when the element is entirely inside the viewport and nothing covers its centre. */
  async function fullyOnScreen(page: Page, testId: string): Promise<boolean> {
    return page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="${testId}"]');
      const r = el.getBoundingClientRect();
      const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return inside && r.width > 0 && el.contains(hit);
    })()`);
  }

  it('1366×768: certificate preselected, visible by default, proposal between title and name, Ký on screen; signing puts it there', async () => {
    const doc = await newLetter();
    const { ctx, page } = await newPage(browser);
    const dialog = await openDialog(page, doc);
    // the only personal certificate is chosen without a click
    await dialog.locator('.ant-select-selection-item', { hasText: 'Trần Thị Bình' }).waitFor();
    // options carry labels; "visible" is the default
    expect(
      await dialog.getByRole('radio', { name: /Hiển thị \(theo Nghị định 30\)/ }).isChecked(),
    ).to.equal(true);
    await dialog.getByText('Hiển thị chữ ký trên văn bản', { exact: true }).waitFor();
    await dialog.getByRole('combobox', { name: 'Chứng thư số' }).waitFor();
    await dialog.getByRole('combobox', { name: 'Mức PAdES' }).waitFor();
    // the position in words, never as PDF coordinates
    const where = await dialog.getByTestId('sign-where').innerText();
    expect(where).to.include('giữa chức vụ và họ tên người ký');
    expect(await dialog.innerText()).to.not.match(/x=\d|y=\d/);
    // the marker is where the hub's engine proposes, drawn at the preview's scale
    const proposal = (
      await call(hub, leader.token)(API.signing.placement, {
        params: { id: doc.id },
        query: { mode: 'signer', aspect: 2.571 },
      })
    ).body;
    expect(proposal.how).to.equal('signer-block');
    const m = await markerOnCanvas(page);
    const k = m.cw / proposal.pageWidth;
    expect(m.x).to.be.closeTo(proposal.x * k, 2);
    expect(m.top).to.be.closeTo((proposal.pageHeight - proposal.y - proposal.height) * k, 2);
    expect(m.w).to.be.closeTo(proposal.width * k, 2);
    expect(await fullyOnScreen(page, 'sign-submit')).to.equal(true);
    await screenshot(page, 'sign-placement-1366');

    // dragged over the body text: the hub refuses the position and "Ký" waits
    const box = (await dialog.getByTestId('sign-marker').boundingBox())!;
    const canvas = (await dialog.getByTestId('placer-page').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(canvas.x + canvas.width * 0.4, canvas.y + canvas.height * 0.22, {
      steps: 8,
    });
    await page.mouse.up();
    await dialog.getByText(/che mất nội dung văn bản/).waitFor();
    expect(await dialog.getByTestId('sign-submit').isDisabled()).to.equal(true);
    // back into the blank gap, near where the engine put it: accepted
    await page.mouse.move(canvas.x + canvas.width * 0.4, canvas.y + canvas.height * 0.22);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 4, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await dialog.getByText(/che mất nội dung văn bản/).waitFor({ state: 'detached' });
    await dialog.getByText('vị trí bạn chọn').waitFor();
    expect(await dialog.getByTestId('sign-submit').isDisabled()).to.equal(false);

    await dialog.getByLabel('Nhập lại mật khẩu để ký').fill(TEST_PASSWORD);
    await dialog.getByTestId('sign-submit').click();
    await page.getByText('Đã ký văn bản').waitFor({ timeout: 60_000 });
    await ctx.close();

    // the stored file, rendered by poppler: the signature (blue ink) between title and name
    const after = (await call(hub, leader.token)(API.documents.get, { params: { id: doc.id } }))
      .body;
    const res = await fetch(
      `${hub.url}/api/v1/documents/${doc.id}/versions/${after.currentVersionId}/file`,
      { headers: { authorization: `Bearer ${leader.token}` } },
    );
    const signed = new Uint8Array(await res.arrayBuffer());
    const ink = changed(render(letter, 1), render(signed, 1), (r, _g, b) => b > 120 && r < 120)!;
    expect(ink, 'signature visible').to.not.equal(undefined);
    const ws = words(letter, 1);
    const title = ws.filter((w) => w.text === 'PHÓ').pop()!;
    const name = ws.filter((w) => w.text === 'Trần').pop()!;
    expect(ink.y1).to.be.at.least(title.y2);
    expect(ink.y2).to.be.at.most(name.y1);
  });

  it('390×844: the preview fits the screen, the proposal shows, Ký reachable and fully visible', async () => {
    const doc = await newLetter();
    const { ctx, page } = await newPage(browser);
    await page.setViewportSize({ width: 390, height: 844 });
    const dialog = await openDialog(page, doc);
    expect(await dialog.getByTestId('sign-where').innerText()).to.include('giữa chức vụ');
    const m = await markerOnCanvas(page);
    expect(m.cw).to.be.at.most(390);
    expect(m.x).to.be.at.least(0);
    expect(m.x + m.w).to.be.at.most(m.cw + 1);
    const overflow = await page.evaluate(
      `document.querySelector('.ant-modal-body').scrollWidth - document.querySelector('.ant-modal-body').clientWidth`,
    );
    expect(overflow).to.be.at.most(0);
    await dialog.getByTestId('sign-submit').scrollIntoViewIfNeeded();
    expect(await fullyOnScreen(page, 'sign-submit')).to.equal(true);
    await screenshot(page, 'sign-placement-390');
    await ctx.close();
  });
});
