import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import {
  api,
  makeOrg,
  makeUser,
  tinyPdf,
  TEST_PASSWORD,
  type TestUser,
} from '../support/factories.js';
import { freePort } from '../support/process.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call, ownerView } from '../support/call.js';

/** A 1×1 PNG: a registered image of record (what the dialog must send instead of a drawn one). */
const RECORD_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Picks a certificate in the signing dialog (the options arrive late and may re-render). */
async function pickCertificate(page: Page, dialog: Locator, name: string): Promise<void> {
  const picked = dialog.locator('.ant-select-selection-item', { hasText: name });
  for (let attempt = 0; attempt < 6 && !(await picked.isVisible()); attempt++) {
    // the only certificate may get preselected meanwhile: its label then covers the input
    await dialog
      .getByLabel('Chứng thư số')
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: name })
      .first()
      .click({ timeout: 5_000 })
      .catch(() => undefined);
    await picked.waitFor({ timeout: 5_000 }).catch(() => undefined);
  }
  await picked.waitFor();
}

async function stateIs(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid="wf-state-tag"][data-state="${state}"]`).waitFor({
    timeout: 20_000,
  });
}

describe('web client (Chromium): trình ký from draft to release, two people, live', function () {
  this.timeout(300_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let tmp: string;
  let org: TOrg;
  let clerk: TestUser;
  let leader: TestUser;
  let hubAdmin: TestUser;
  let recipients: { org: TOrg; clerk: TestUser }[];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-client-workflow-'));
    const port = await freePort();
    ({ hub, browser, close } = await startClientHub({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    }));
    org = await makeOrg(hub.ctx, { name: 'UBND huyện Nga Sơn', level: 'district' });
    clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
    leader = await makeUser(hub, org, ['signer'], 'Mai Văn Chủ Tịch');
    const admin = await makeUser(hub, org, ['org_admin'], 'Quản Trị Huyện');
    const hubOrg = await makeOrg(hub.ctx, { name: 'Thanh tra tỉnh', kind: 'inspection' });
    hubAdmin = await makeUser(hub, hubOrg, ['auditor'], 'Phạm Thanh Tra');
    const asAdmin = api(hub, admin.token);
    expect(
      (await asAdmin('POST', '/api/v1/certificates/personal', { userId: leader.id })).status,
    ).to.equal(201);
    expect(
      (await asAdmin('POST', '/api/v1/certificates/seal', { algorithm: 'p256' })).status,
    ).to.equal(201);
    // images of record: the leader's signature (by himself), the seal (by the org admin)
    expect(
      (
        await api(hub, leader.token)('PUT', '/api/v1/workflow/images/signature', {
          png: RECORD_PNG,
        })
      ).status,
    ).to.equal(200);
    expect(
      (await asAdmin('PUT', '/api/v1/workflow/images/seal', { png: RECORD_PNG })).status,
    ).to.equal(200);
    recipients = await Promise.all(
      ['Sở Nội vụ Nga', 'Sở Tài chính Nga', 'UBND xã Nga Điền'].map(async (name) => {
        const o = await makeOrg(hub.ctx, { name });

        return { org: o, clerk: await makeUser(hub, o, ['clerk'], `Văn thư ${name}`) };
      }),
    );
  });

  after(async () => {
    await close?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('clerk drafts and submits; leader returns, clerk edits and resubmits, leader signs; clerk numbers, seals, sends to three', async () => {
    // the leader waits on "Chờ tôi ký", the three recipients on their inboxes
    const l = await newPage(browser);
    await loginUi(l.page, hub.url, leader.username, '/workflow/to-sign');
    await l.page.getByTestId('page-title').filter({ hasText: 'Văn bản chờ tôi ký' }).waitFor();
    await l.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();
    const inboxes = await Promise.all(
      recipients.map(async (r) => {
        const p = await newPage(browser);
        await loginUi(p.page, hub.url, r.clerk.username);
        await p.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();

        return p;
      }),
    );

    // 1. the clerk drafts and submits to the leader from the compose screen
    const c = await newPage(browser);
    await loginUi(c.page, hub.url, clerk.username, '/compose');
    await c.page.getByTestId('page-title').filter({ hasText: 'Soạn và gửi văn bản' }).waitFor();
    const pdfFile = join(tmp, 'Giấy mời họp.pdf');
    writeFileSync(pdfFile, await tinyPdf('Giay moi hop tong ket nam'));
    await c.page.locator('input[type="file"]').setInputFiles(pdfFile);
    await c.page.getByText('Giấy mời họp.pdf').waitFor();
    await c.page.getByLabel('Ký hiệu').fill('UBND-VP');
    await c.page.getByLabel('Địa danh').fill('Nga Sơn');
    await c.page.getByLabel('Trích yếu').fill('Mời họp tổng kết năm 2026');
    await c.page.getByLabel('Người ký', { exact: true }).fill('Mai Văn Chủ Tịch');
    await c.page.getByLabel('Chức vụ').fill('Chủ tịch');
    // said before Send: what is sent straight from here carries no signature
    expect(await c.page.getByTestId('compose-unsigned').innerText()).to.include('chưa được ký số');
    await c.page.getByRole('combobox', { name: 'Chọn lãnh đạo ký' }).click();
    await c.page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', {
        hasText: 'Mai Văn Chủ Tịch',
      })
      .click();
    await c.page.getByTestId('compose-submit').click();
    await c.page.waitForFunction('/^\\/documents\\/[0-9a-f]{24}$/.test(location.pathname)');
    const id = /([0-9a-f]{24})$/.exec(c.page.url())![1]!;
    await stateIs(c.page, 'submitted');
    expect(await c.page.getByTestId('doc-code').innerText()).to.equal('Công văn …/UBND-VP');

    // 2. the leader's list and count update live
    const row = l.page.locator('tr', { hasText: 'Mời họp tổng kết năm 2026' });
    await row.waitFor({ timeout: 15_000 });
    // he is told so, by name of the document, and the menu counts it
    await l.page.getByText('Văn bản chờ anh/chị ký: Mời họp tổng kết năm 2026').waitFor();
    await l.page.locator('[data-testid="count-to-sign"]', { hasText: '1' }).waitFor();
    await screenshot(l.page, '30-to-sign-live');

    // 3. the leader returns it once with a comment
    await row.getByTestId('wf-subject').click();
    await stateIs(l.page, 'submitted');
    await l.page.getByTestId('wf-return').click();
    await l.page.getByTestId('wf-return-comment').fill('Ghi rõ giờ họp và địa điểm.');
    await l.page.getByTestId('wf-return-ok').click();
    await stateIs(l.page, 'returned');

    // 4. the clerk sees it come back live, edits and resubmits
    await c.page
      .getByTestId('wf-return-note')
      .filter({ hasText: 'Ghi rõ giờ họp và địa điểm.' })
      .waitFor({ timeout: 15_000 });
    await c.page.getByText('Mai Văn Chủ Tịch đã trả lại: Mời họp tổng kết năm 2026').waitFor();
    await c.page.getByTestId('wf-edit').click();
    await c.page.getByTestId('wf-edit-subject').fill('Mời họp tổng kết năm 2026, 8 giờ ngày 28/12');
    await c.page.getByTestId('wf-edit-save').click();
    await c.page
      .getByTestId('doc-subject')
      .filter({ hasText: 'Mời họp tổng kết năm 2026, 8 giờ ngày 28/12' })
      .waitFor();
    await c.page.getByTestId('wf-submit').click();
    await stateIs(c.page, 'submitted');

    // 5. the leader signs, with his registered signature image
    await stateIs(l.page, 'submitted');
    await l.page
      .getByTestId('doc-subject')
      .filter({ hasText: '8 giờ ngày 28/12' })
      .waitFor({ timeout: 15_000 });
    const signBodies: string[] = [];
    l.page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/documents/${id}/signatures`))
        signBodies.push(r.postData() ?? '');
    });
    await l.page.getByTestId('wf-sign').click();
    const dialog = l.page.getByRole('dialog');
    await pickCertificate(l.page, dialog, 'Mai Văn Chủ Tịch');
    // visible by default: the hub's proposed position shows on the preview before signing
    await dialog.getByTestId('sign-marker').waitFor({ timeout: 30_000 });
    await dialog.getByLabel('Nhập lại mật khẩu để ký').fill(TEST_PASSWORD);
    await dialog.getByTestId('sign-submit').click();
    await l.page.getByText('Đã ký văn bản').waitFor({ timeout: 30_000 });
    await stateIs(l.page, 'signed');
    expect(signBodies).to.have.length(1);
    const sent = JSON.parse(signBodies[0]!) as { appearance: { mode: string; image: string } };
    expect(sent.appearance.mode).to.equal('signer');
    expect(sent.appearance.image).to.equal(RECORD_PNG);

    // 6. the clerk: "signed, to release" live; number → seal → recipients → send
    await c.page
      .locator('[data-testid="count-to-release"]', { hasText: '1' })
      .waitFor({ timeout: 15_000 });
    await stateIs(c.page, 'signed');
    await c.page.getByTestId('wf-number').click();
    await stateIs(c.page, 'numbered');
    const year = new Date().getFullYear();
    expect(await c.page.getByTestId('doc-code').innerText()).to.equal('Công văn 01/UBND-VP');
    await c.page.getByTestId('wf-seal').click();
    const sealDialog = c.page.getByRole('dialog');
    await pickCertificate(c.page, sealDialog, 'UBND huyện Nga Sơn');
    await sealDialog.getByLabel('Nhập lại mật khẩu để ký').fill(TEST_PASSWORD);
    await sealDialog.getByTestId('sign-submit').click();
    await c.page.getByText('Đã ký văn bản').waitFor({ timeout: 30_000 });
    await stateIs(c.page, 'sealed');
    const release = c.page.getByTestId('wf-release');
    for (const r of recipients) {
      await release.getByLabel('Tìm cơ quan (gõ không dấu cũng được)').fill(r.org.name);
      await release
        .locator('.ant-tree-treenode', { hasText: r.org.name })
        .locator('.ant-tree-checkbox')
        .click();
    }
    // the recipients are shown as a list to review, not a count
    await release.getByTestId('wf-review-item').nth(2).waitFor();
    const reviewed = await release.getByTestId('wf-review-item').allInnerTexts();
    expect(reviewed.sort()).to.deep.equal(recipients.map((r) => r.org.name).sort());
    await screenshot(c.page, '31-release-review');
    await release.getByTestId('wf-send').click();
    await stateIs(c.page, 'released');

    // 7. each recipient's inbox updates live
    for (const p of inboxes) {
      await p.page
        .locator('tr', { hasText: 'Mời họp tổng kết năm 2026, 8 giờ ngày 28/12' })
        .filter({ hasText: '01/UBND-VP' })
        .waitFor({ timeout: 15_000 });
    }
    await screenshot(inboxes[0]!.page, '32-recipient-inbox');
    await Promise.all([l, c, ...inboxes].map((x) => x.ctx.close()));

    // 8. every step is in the audit chain, and the chain verifies
    const doc = ownerView(
      (await call(hub, clerk.token)(API.documents.get, { params: { id } })).body,
    );
    expect(doc.meta.number).to.equal(1);
    expect(doc.meta.issueDate.slice(0, 4)).to.equal(String(year));
    expect(doc.workflow?.history.map((h) => h.action)).to.deep.equal([
      'drafted',
      'submitted',
      'returned',
      'edited',
      'submitted',
      'signed',
      'numbered',
      'sealed',
      'released',
    ]);
    expect(doc.versions.map((v) => v.signature?.kind ?? v.reason)).to.deep.equal([
      'upload',
      'personal',
      'seal',
    ]);
    const asAuditor = api(hub, hubAdmin.token);
    const audit = await asAuditor('GET', `/api/v1/audit?targetId=${id}&limit=100`);
    const actions = (audit.body.items as { action: string }[]).map((e) => e.action).reverse();
    expect(actions.filter((a) => a.startsWith('workflow.'))).to.deep.equal([
      'workflow.drafted',
      'workflow.submitted',
      'workflow.returned',
      'workflow.edited',
      'workflow.submitted',
      'workflow.signed',
      'workflow.numbered',
      'workflow.sealed',
      'workflow.released',
    ]);
    const dispatches = await asAuditor('GET', '/api/v1/audit?action=dispatch.created&limit=100');
    expect(
      (dispatches.body.items as { details: { documentId: string } }[]).some(
        (e) => e.details.documentId === id,
      ),
    ).to.equal(true);
    const verify = await asAuditor('GET', '/api/v1/audit/verify');
    expect(verify.status).to.equal(200);
    expect(verify.body.ok).to.equal(true);
  });
});
