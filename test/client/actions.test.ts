import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../support/factories.js';
import { freePort } from '../support/process.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

describe('web client (Chromium): recipient actions live in the outbox, device-key signing', function () {
  this.timeout(180_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let tmp: string;
  let orgA: TOrg;
  let orgB: TOrg;
  let clerkA: TestUser;
  let headB: TestUser;
  let officerB: TestUser;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-client-actions-'));
    const port = await freePort();
    ({ hub, browser, close } = await startClientHub({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    }));
    orgA = await makeOrg(hub.ctx, { name: 'Sở Tài chính Thanh Hóa', level: 'department' });
    orgB = await makeOrg(hub.ctx, { name: 'UBND huyện Nga Sơn', level: 'district' });
    clerkA = await makeUser(hub, orgA, ['clerk', 'signer'], 'Nguyễn Văn Giám Đốc');
    // an org admin may list users, so the assign dialog offers colleagues
    headB = await makeUser(hub, orgB, ['clerk', 'org_admin'], 'Trưởng Phòng Nga Sơn');
    officerB = await makeUser(hub, orgB, ['clerk'], 'Chuyên Viên Thụ Lý');
  });

  after(async () => {
    await close?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function dispatch(subject: string) {
    const doc = await makeDocument(hub, clerkA, { subject });
    const res = await api(hub, clerkA.token)('POST', '/api/v1/dispatches', {
      documentId: doc.id,
      recipients: [orgB.id],
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const body = res.body as { id: string; deliveries: { id: string }[] };

    return { dispatchId: body.id, deliveryId: body.deliveries[0]!.id };
  }

  async function openInInbox(page: Page, subject: string) {
    await page.goto(`${hub.url}/inbox`);
    await page.locator('tr', { hasText: subject }).getByTestId('inbox-subject').click();
    await page.waitForURL(/\/documents\/[0-9a-f]{24}\?delivery=/);
  }

  const reply = (page: Page, code: string) =>
    page.locator(`[data-testid="delivery-status"] [data-status="${code}"]`).waitFor();

  it('reject (02), accept–assign–process–complete (03–06), refuse and agree to a recall (16, 15): each live in the sender’s outbox', async () => {
    const rejected = await dispatch('Đề nghị bổ sung kinh phí sự nghiệp giáo dục');
    const worked = await dispatch('Hướng dẫn quyết toán ngân sách năm 2026');
    const refused = await dispatch('Thông báo thẩm định dự toán đợt 1');
    const agreed = await dispatch('Thông báo thẩm định dự toán đợt 2');

    const a = await newPage(browser);
    await loginUi(a.page, hub.url, clerkA.username, '/outbox');
    await a.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();
    await a.page.evaluate('window.marker = 5');
    const outRow = (id: string, code: string) =>
      a.page
        .locator(`[data-delivery="${id}"] [data-status="${code}"]`)
        .waitFor({ timeout: 10_000 });
    await outRow(worked.deliveryId, '01');

    const b = await newPage(browser);
    await loginUi(b.page, hub.url, headB.username);
    await b.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();

    // 02 with a reason
    await openInInbox(b.page, 'Đề nghị bổ sung kinh phí');
    await b.page.getByRole('button', { name: 'Từ chối' }).click();
    let dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('Lý do từ chối').fill('ab');
    expect(await dialog.getByRole('button', { name: 'Xác nhận' }).isDisabled()).to.equal(true);
    await dialog
      .getByLabel('Lý do từ chối')
      .fill('Sai thẩm quyền giải quyết, đề nghị gửi Sở GD&ĐT');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await reply(b.page, '02');
    await outRow(rejected.deliveryId, '02');
    const rejectTag = a.page.locator(`[data-delivery="${rejected.deliveryId}"] [data-status="02"]`);
    expect(await rejectTag.getAttribute('title')).to.contain('Sai thẩm quyền giải quyết');

    // 03 → 04 (a colleague from the picker) → 05 → 06
    await openInInbox(b.page, 'Hướng dẫn quyết toán');
    await b.page.getByRole('button', { name: 'Tiếp nhận' }).click();
    await reply(b.page, '03');
    await outRow(worked.deliveryId, '03');
    await b.page.getByRole('button', { name: 'Phân công' }).click();
    dialog = b.page.getByRole('dialog');
    await dialog.locator('.ant-select').click();
    await b.page
      .locator('.ant-select-dropdown:visible .ant-select-item-option', {
        hasText: 'Chuyên Viên Thụ Lý',
      })
      .click();
    await screenshot(b.page, '30-assign');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await reply(b.page, '04');
    await outRow(worked.deliveryId, '04');
    await b.page.getByRole('button', { name: 'Đang xử lý' }).click();
    await reply(b.page, '05');
    await outRow(worked.deliveryId, '05');
    await b.page.getByRole('button', { name: 'Hoàn thành' }).click();
    await reply(b.page, '06');
    await outRow(worked.deliveryId, '06');
    const d = (
      await call(hub, headB.token)(API.exchange.delivery, { params: { id: worked.deliveryId } })
    ).body;
    expect(d.history.map((h) => h.code)).to.deep.equal(['01', '03', '04', '05', '06']);
    expect(JSON.stringify(d.history.find((h) => h.code === '04'))).to.contain(officerB.id);

    // recalls: the sender asks (13), the recipient refuses one (16) and agrees to the other (15)
    for (const r of [refused, agreed]) {
      const res = await api(hub, clerkA.token)(
        'POST',
        `/api/v1/dispatches/${r.dispatchId}/recall`,
        {
          reason: 'Văn bản ban hành sai thể thức',
        },
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
    await openInInbox(b.page, 'Thông báo thẩm định dự toán đợt 1');
    await b.page.getByText('Bên gửi đề nghị thu hồi: Văn bản ban hành sai thể thức').waitFor();
    await b.page.getByRole('button', { name: 'Không đồng ý thu hồi' }).click();
    dialog = b.page.getByRole('dialog');
    await dialog.getByLabel('Lý do không đồng ý').fill('Văn bản đã được triển khai thực hiện');
    await dialog.getByRole('button', { name: 'Xác nhận' }).click();
    await reply(b.page, '16');
    await outRow(refused.deliveryId, '16');
    await openInInbox(b.page, 'Thông báo thẩm định dự toán đợt 2');
    await b.page.getByRole('button', { name: 'Đồng ý thu hồi', exact: true }).click();
    // an agreed recall withdraws the document from the recipient: the confirmation is the toast
    await b.page.getByText('Đã cập nhật trạng thái: Đồng ý thu hồi/cập nhật').waitFor();
    await outRow(agreed.deliveryId, '15');
    expect(await a.page.evaluate('window.marker')).to.equal(5); // no reload on the sender side
    await screenshot(a.page, '31-outbox-all-actions');
    await a.ctx.close();
    await b.ctx.close();
  });

  it('signs with a non-extractable P-256 key made in the browser: CSR → certificate → session → signature; pdfsig says valid', async () => {
    const doc = await makeDocument(hub, clerkA, { subject: 'Quyết định giao dự toán bổ sung' });
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, clerkA.username, `/documents/${doc.id}`);
    await page.getByTestId('open-sign').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: 'Khóa trên thiết bị này' }).click();
    await dialog.getByRole('button', { name: 'Tạo khóa trên thiết bị' }).click();
    await dialog.getByTestId('device-key').waitFor();
    // the private key really is stored non-extractable
    const extractable = await page.evaluate(`new Promise((resolve, reject) => {
      const req = indexedDB.open('lienthong-keys', 1);
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const get = req.result.transaction('keys').objectStore('keys').get(${JSON.stringify(clerkA.id)});
        get.onsuccess = async () => {
          const k = get.result.privateKey;
          let exported = true;
          try { await crypto.subtle.exportKey('pkcs8', k); } catch { exported = false; }
          resolve({ extractable: k.extractable, type: k.type, curve: k.algorithm.namedCurve, exported });
        };
      };
    })`);
    expect(extractable).to.deep.equal({
      extractable: false,
      type: 'private',
      curve: 'P-256',
      exported: false,
    });
    await dialog.getByRole('button', { name: 'Tạo yêu cầu cấp chứng thư (CSR)' }).click();
    const csr = await dialog.getByTestId('device-csr').inputValue();
    expect(csr).to.match(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const csrFile = join(tmp, 'device.csr');
    writeFileSync(csrFile, csr);
    const check = spawnSync('openssl', ['req', '-in', csrFile, '-noout', '-verify', '-text'], {
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).to.equal(0);
    expect(check.stdout + check.stderr).to.match(/verify OK/i);
    expect(check.stdout).to.match(/prime256v1|P-256/);

    // the holder asks for the certificate of their own key (here through the API; an
    // administrator may not submit a CSR for someone else: security issue #26 H2)
    const issued = await call(hub, clerkA.token)(API.certificates.issuePersonal, {
      body: {
        userId: clerkA.id,
        csr,
      },
    });
    expect(issued.status, JSON.stringify(issued.body)).to.equal(201);
    const cert = issued.body;
    expect(cert.keyOnHub).to.equal(false);
    await dialog.getByLabel('Chứng thư đã được cấp (PEM)').fill(cert.certificatePem);
    await screenshot(page, '32-device-key-sign');
    await dialog.getByRole('button', { name: 'Ký bằng khóa trên thiết bị' }).click();
    await page.getByText('Đã ký văn bản').waitFor({ timeout: 30_000 });

    const after = (await call(hub, clerkA.token)(API.documents.get, { params: { id: doc.id } }))
      .body;
    expect(after.versions).to.have.length(2);
    const res = await fetch(
      `${hub.url}/api/v1/documents/${doc.id}/versions/${after.currentVersionId}/file`,
      { headers: { authorization: `Bearer ${clerkA.token}` } },
    );
    const file = join(tmp, 'device-signed.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const pdfsig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(pdfsig.stdout).to.match(/Signature Validation: Signature is Valid/);
    expect(pdfsig.stdout).to.contain('Nguyễn Văn Giám Đốc');
    await ctx.close();
  });
});
