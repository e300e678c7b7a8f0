import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { api, makeDocument, makeOrg, makeUser, type TestUser } from '../support/factories.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';

describe('web client (Chromium): login, live inbox and outbox, search, language', function () {
  this.timeout(120_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let sender: TOrg;
  let recipient: TOrg;
  let clerkA: TestUser;
  let clerkB: TestUser;

  before(async () => {
    ({ hub, browser, close } = await startClientHub());
    sender = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    recipient = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: sender.id,
    });
    clerkA = await makeUser(hub, sender, ['clerk'], 'Lê Thị Văn Thư');
    clerkB = await makeUser(hub, recipient, ['clerk'], 'Trần Đức Tiếp Nhận');
  });

  after(async () => {
    await close?.();
  });

  async function dispatch(over: Parameters<typeof makeDocument>[2] = {}) {
    const doc = await makeDocument(hub, clerkA, over);
    const res = await api(hub, clerkA.token)('POST', '/api/v1/dispatches', {
      documentId: doc.id,
      recipients: [recipient.id],
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);

    return { doc, dispatch: res.body as { id: string; deliveries: { id: string }[] } };
  }

  it('serves the app for page paths and leaves /api to the hub', async () => {
    const page = await fetch(`${hub.url}/outbox`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/text\/html/);
    expect(await page.text()).to.match(/<div id="root">/);
    const apiMiss = await fetch(`${hub.url}/api/v1/nothing-here`);
    expect(apiMiss.status).to.equal(404);
    expect(apiMiss.headers.get('content-type')).to.match(/problem\+json/);
    const html = await (await fetch(`${hub.url}/`)).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).to.be.a('string');
    const js = await fetch(`${hub.url}${asset}`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('cache-control')).to.match(
      /max-age=31536000.*immutable|immutable.*max-age=31536000/,
    );
    expect((await fetch(`${hub.url}/assets/missing-file.js`)).status).to.equal(404);
  });

  it('loads the login page small: no pdf.js, no charts, no other screen until it is opened', async () => {
    const { ctx, page } = await newPage(browser);
    const scripts: { url: string; bytes: number }[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js') || r.url().endsWith('.mjs'))
        void r.body().then((b) => scripts.push({ url: r.url(), bytes: b.length }));
    });
    await page.goto(`${hub.url}/login`);
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await page.waitForLoadState('networkidle');
    const total = scripts.reduce((n, s) => n + s.bytes, 0);
    expect(total, JSON.stringify(scripts)).to.be.below(1_100_000);
    for (const s of scripts) expect(s.url).not.to.match(/pdf|DocumentView|Dashboard|Compose/);
    // the document screen brings pdf.js with it
    await loginUi(page, hub.url, clerkB.username);
    const before = scripts.length;
    const { doc } = await dispatch({ subject: 'Giấy mời họp giao ban tháng 12' });
    await page.goto(`${hub.url}/documents/${doc.id}`);
    await page.getByTestId('pdf-page').first().waitFor({ timeout: 20_000 });
    expect(scripts.slice(before).some((s) => /DocumentView/.test(s.url))).to.equal(true);
    await ctx.close();
  });

  it('logs in in Vietnamese, refusing a wrong password with the hub’s Vietnamese message', async () => {
    const { ctx, page } = await newPage(browser);
    await page.goto(`${hub.url}/`);
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/login');
    expect(await page.locator('html').getAttribute('lang')).to.equal('vi');
    expect(await page.getByLabel('Tên đăng nhập').count()).to.equal(1);
    await page.locator('#username').fill(clerkB.username);
    await page.locator('#password').fill('sai-mật-khẩu-1');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').innerText()).to.contain(
      'Tên đăng nhập hoặc mật khẩu không đúng',
    );
    await screenshot(page, '01-login-error');
    await page.locator('#password').fill('Mật-khẩu-thử-2026');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForFunction("!location.pathname.startsWith('/login')");
    await page.getByTestId('page-title').filter({ hasText: 'Văn bản đến' }).waitFor();
    expect(await page.getByTestId('user-name').innerText()).to.equal('Trần Đức Tiếp Nhận');
    await ctx.close();
  });

  it('keeps a document that arrives while the inbox is loading: the list is loaded again', async () => {
    const { ctx, page } = await newPage(browser);
    const subject = 'Giấy mời họp giao ban tuần 49';
    // the hub answers the first inbox request at once (before the dispatch), but the page gets
    // that answer only once the new document's event has reached it
    let deliver: (() => Promise<void>) | undefined;
    const fetched = new Promise<void>((resolve) => {
      void page.route(/\/api\/v1\/inbox(\?|$)/, async (route) => {
        if (deliver) return route.continue();
        const stale = await route.fetch();
        deliver = () => route.fulfill({ response: stale });
        resolve();
      });
    });
    await loginUi(page, hub.url, clerkB.username);
    await fetched;
    await page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();
    await dispatch({ subject });
    await page.getByText(`Văn bản mới đến: ${subject}`).waitFor();
    await deliver!();
    await page.waitForFunction('!document.querySelector(".ant-table .ant-spin-spinning")');
    expect(await page.locator('tr', { hasText: subject }).count()).to.equal(1);
    await ctx.close();
  });

  it('shows a document dispatched after the page loaded, live, with its urgency colour', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, clerkB.username);
    await page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();
    // a marker that a reload would wipe out
    await page.evaluate('window.marker = 42');
    await dispatch({
      subject: 'Công điện hỏa tốc về phòng chống bão số 5',
      urgency: 'hoa_toc',
      type: 'Công điện',
    });
    const row = page.locator('tr', { hasText: 'Công điện hỏa tốc về phòng chống bão số 5' });
    await row.waitFor({ timeout: 10_000 });
    expect(await page.evaluate('window.marker')).to.equal(42);
    const tag = row.locator('[data-urgency="hoa_toc"]');
    expect(await tag.innerText()).to.equal('Hỏa tốc');
    expect(await tag.getAttribute('class')).to.contain('ant-tag-red');
    expect(await row.locator('[data-status="01"]').count()).to.equal(1);
    await screenshot(page, '02-inbox-live');
    await ctx.close();
  });

  it('the sender’s outbox shows 03 live when the recipient accepts in its own browser', async () => {
    const { dispatch: sent } = await dispatch({
      subject: 'Báo cáo tình hình kinh tế quý III',
      urgency: 'khan',
    });
    const a = await newPage(browser);
    await loginUi(a.page, hub.url, clerkA.username, '/outbox');
    await a.page.getByTestId('live').filter({ hasText: 'Trực tuyến' }).waitFor();
    const deliveryId = sent.deliveries[0]!.id;
    const recipientRow = a.page.locator(`[data-delivery="${deliveryId}"]`);
    await recipientRow.locator('[data-status="01"]').waitFor();
    await a.page.evaluate('window.marker = 7');

    const b = await newPage(browser);
    await loginUi(b.page, hub.url, clerkB.username);
    await b.page
      .locator('tr', { hasText: 'Báo cáo tình hình kinh tế quý III' })
      .getByTestId('inbox-subject')
      .click();
    await b.page.waitForURL(/\/documents\/[0-9a-f]{24}\?delivery=/);
    await b.page.getByRole('button', { name: 'Tiếp nhận' }).click();
    await b.page.locator('[data-testid="delivery-status"] [data-status="03"]').waitFor();

    await recipientRow.locator('[data-status="03"]').waitFor({ timeout: 10_000 });
    expect(await a.page.evaluate('window.marker')).to.equal(7);
    expect(await recipientRow.innerText()).to.contain('Đã tiếp nhận');
    await screenshot(a.page, '03-outbox-live');
    await a.ctx.close();
    await b.ctx.close();
  });

  it('finds "Hoằng Hóa" when searching "hoang hoa" (through the API q)', async () => {
    await dispatch({ subject: 'Kế hoạch tiêm chủng mở rộng năm 2027' });
    await dispatch({ subject: 'V/v hỗ trợ nông dân huyện Hoằng Hóa' });
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, clerkB.username);
    await page.locator('tr', { hasText: 'Kế hoạch tiêm chủng' }).waitFor();
    const searched = page.waitForRequest(
      (r) => r.url().includes('/api/v1/inbox?') && r.url().includes('q=hoang+hoa'),
    );
    const box = page.getByRole('searchbox', { name: 'Tìm kiếm' }).or(page.getByLabel('Tìm kiếm'));
    await box.fill('hoang hoa');
    await box.press('Enter');
    await searched;
    await page.waitForFunction("!document.body.innerText.includes('Kế hoạch tiêm chủng')");
    const subjects = await page.getByTestId('inbox-subject').allInnerTexts();
    expect(subjects.length).to.be.greaterThan(0);
    for (const s of subjects) expect(s).to.contain('Hoằng Hóa');
    expect(subjects).to.include('V/v hỗ trợ nông dân huyện Hoằng Hóa');
    await screenshot(page, '04-inbox-search');
    await ctx.close();
  });

  it('switches the labels to English and keeps the choice after a reload', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, clerkB.username);
    await page.getByTestId('page-title').filter({ hasText: 'Văn bản đến' }).waitFor();
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('page-title').filter({ hasText: 'Incoming documents' }).waitFor();
    expect(await page.locator('th', { hasText: 'Subject' }).count()).to.be.greaterThan(0);
    expect(
      await page.getByRole('menuitem', { name: /Outgoing|Incoming/ }).count(),
    ).to.be.greaterThan(0);
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    await screenshot(page, '05-inbox-english');
    await page.reload();
    await page.getByTestId('page-title').filter({ hasText: 'Incoming documents' }).waitFor();
    await ctx.close();
  });
});
