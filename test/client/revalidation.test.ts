import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { Hub } from '../../server/src/hub.js';
import {
  TEST_PASSWORD,
  api,
  makeDocument,
  makeOrg,
  makeUser,
  type TestUser,
} from '../support/factories.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

describe('web client (Chromium): re-check signatures from the dashboard', function () {
  this.timeout(180_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let auditor: TestUser;

  before(async () => {
    ({ hub, browser, close } = await startClientHub());
    const org = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    const peer = await makeOrg(hub.ctx, { name: 'UBND tỉnh Nghệ An', level: 'province' });
    const clerk = await makeUser(hub, org, ['clerk'], 'Lê Thị Văn Thư');
    const admin = await makeUser(hub, org, ['org_admin']);
    auditor = await makeUser(hub, org, ['auditor'], 'Phạm Kiểm Toán');
    const seal = (await call(hub, admin.token)(API.certificates.issueSeal, { body: {} })).body;
    // two sealed documents and one never signed, all sent today
    for (const signed of [true, true, false]) {
      const doc = await makeDocument(hub, clerk);
      if (signed) {
        const s = await api(hub, clerk.token)('POST', `/api/v1/documents/${doc.id}/signatures`, {
          certificateId: seal.id,
          kind: 'seal',
          level: 'B-B',
          confirmPassword: TEST_PASSWORD,
        });
        expect(s.status, JSON.stringify(s.body)).to.equal(201);
      }
      const d = await api(hub, clerk.token)('POST', '/api/v1/dispatches', {
        documentId: doc.id,
        recipients: [peer.id],
      });
      expect(d.status).to.equal(201);
    }
  });

  after(async () => {
    await close?.();
  });

  it('starts a job, shows its progress pushed over the socket, then the still-valid figure', async () => {
    const { ctx, page } = await newPage(browser);
    const pushed: string[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('revalidation:progress'))
          pushed.push(f.payload);
      }),
    );
    await loginUi(page, hub.url, auditor.username, '/dashboard');
    const card = page.getByTestId('revalidation');
    await card.getByText('Chưa tính').waitFor();
    expect(await card.getByTestId('kpi-stillValidRate').innerText()).to.contain('—');
    await page.getByTestId('revalidate').filter({ hasText: 'Kiểm tra lại chữ ký' }).click();
    await page.locator('[data-testid="revalidation-progress"][data-status="done"]').waitFor();
    await card.getByText('Hoàn tất: Đã kiểm tra 3/3 văn bản').waitFor();
    await card
      .getByText('2 hợp lệ · 0 không hợp lệ · 0 chưa xác định · 1 không có chữ ký')
      .waitFor();
    // the dashboard reloads the figure once the job is done: 2 of the 2 signed documents
    await card.getByText('2/2').waitFor();
    expect(await card.getByTestId('kpi-stillValidRate').innerText()).to.contain('100');
    expect(pushed.some((p) => p.includes('"status":"done"'))).to.equal(true);
    await screenshot(page, '18-dashboard-revalidation');
    await card.getByText('2/2').click();
    const links = page.getByRole('dialog').locator('a[href^="/documents/"]');
    await links.nth(1).waitFor();
    expect(await links.count()).to.equal(2);
    await ctx.close();
  });
});
