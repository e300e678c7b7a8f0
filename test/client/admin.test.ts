import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import { makeOrg, makeUser, type TestUser } from '../support/factories.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';
import { API, call } from '../support/call.js';

/** Opens an antd Select (by its label) and picks the option with this text. */
async function pick(page: Page, label: string, option: string | RegExp) {
  // a required field's name starts with the asterisk antd draws in CSS
  const name = new RegExp(`^[*\\s]*${label}$`);
  await page
    .locator('.ant-select, .ant-tree-select')
    .filter({ has: page.getByRole('combobox', { name }) })
    .first()
    .click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option })
    .first()
    .click();
}

describe('web client (Chromium): administration — organizations, users, certificates, API keys', function () {
  this.timeout(180_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let tmp: string;
  let root: TOrg;
  let district: TOrg;
  let hubAdmin: TestUser;
  let orgAdmin: TestUser;
  let clerk: TestUser;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'lienthong-client-admin-'));
    ({ hub, browser, close } = await startClientHub());
    root = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    district = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: root.id,
    });
    hubAdmin = await makeUser(hub, root, ['hub_admin'], 'Quản Trị Trục');
    orgAdmin = await makeUser(hub, district, ['org_admin'], 'Đỗ Quản Trị Huyện');
    clerk = await makeUser(hub, district, ['clerk'], 'Lê Văn Thư');
  });

  after(async () => {
    await close?.();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('shows the administration menu only to the roles that may use it', async () => {
    const c = await newPage(browser);
    await loginUi(c.page, hub.url, clerk.username);
    await c.page.getByTestId('page-title').filter({ hasText: 'Văn bản đến' }).waitFor();
    expect(await c.page.getByRole('menuitem', { name: 'Người dùng' }).count()).to.equal(0);
    expect(await c.page.getByRole('menuitem', { name: 'Khóa API' }).count()).to.equal(0);
    await c.ctx.close();

    const a = await newPage(browser);
    await loginUi(a.page, hub.url, orgAdmin.username);
    await a.page.getByRole('menuitem', { name: 'Khóa API' }).waitFor();
    await a.page.getByRole('menuitem', { name: 'Người dùng' }).click();
    await a.page.waitForURL(/\/admin\/users$/);
    await a.ctx.close();

    const h = await newPage(browser);
    await loginUi(h.page, hub.url, hubAdmin.username);
    await h.page.getByRole('menuitem', { name: 'Cơ quan, đơn vị' }).waitFor();
    // API keys belong to an organization's systems: a hub admin has none to manage
    expect(await h.page.getByRole('menuitem', { name: 'Khóa API' }).count()).to.equal(0);
    await h.ctx.close();
  });

  it('hub admin adds an organization under a parent; the org admin edits its own contact', async () => {
    const h = await newPage(browser);
    await loginUi(h.page, hub.url, hubAdmin.username, '/admin/orgs');
    await h.page.getByTestId('page-title').filter({ hasText: 'Cơ quan, đơn vị' }).waitFor();
    await h.page.getByTestId('org-node').filter({ hasText: 'UBND huyện Hoằng Hóa' }).waitFor();
    await h.page.getByTestId('org-create').click();
    const dialog = h.page.getByRole('dialog');
    await dialog.getByLabel('Mã định danh').fill('000.01.31.H56');
    await dialog.getByLabel('Tên cơ quan').fill('UBND xã Hoằng Quỳ');
    await pick(h.page, 'Cấp', 'Xã');
    await dialog.getByLabel('Cơ quan cấp trên').click();
    await h.page
      .locator('.ant-select-tree-node-content-wrapper', { hasText: 'UBND huyện Hoằng Hóa' })
      .click();
    await dialog.getByLabel('Thư điện tử').fill('xahoangquy@thanhhoa.gov.vn');
    await screenshot(h.page, '20-admin-org-create');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await h.page.getByText('Đã thêm cơ quan UBND xã Hoằng Quỳ').waitFor();
    const node = h.page.getByTestId('org-node').filter({ hasText: 'UBND xã Hoằng Quỳ' });
    await node.click();
    await h.page.getByTestId('org-details').getByText('000.01.31.H56').waitFor();
    await screenshot(h.page, '21-admin-orgs');
    const list = (await call(hub, hubAdmin.token)(API.orgs.list, { query: { q: 'hoang quy' } }))
      .body;
    const made = list.find((o) => o.code === '000.01.31.H56');
    expect(made?.parentId).to.equal(district.id);
    expect(made?.level).to.equal('commune');
    expect(made?.name).to.equal('UBND xã Hoằng Quỳ'.normalize('NFC'));
    await h.ctx.close();

    const a = await newPage(browser);
    await loginUi(a.page, hub.url, orgAdmin.username, '/admin/orgs');
    expect(await a.page.getByTestId('org-create').count()).to.equal(0);
    await a.page.getByTestId('org-details').getByRole('button', { name: 'Sửa' }).click();
    const edit = a.page.getByRole('dialog');
    // the level is the hub admin's to change
    expect(await edit.locator('#level').isDisabled()).to.equal(true);
    await edit.getByLabel('Điện thoại').fill('0237 3865 123');
    await edit.getByRole('button', { name: 'Lưu' }).click();
    await a.page.getByTestId('org-details').getByText('0237 3865 123').waitFor();
    const after = (await call(hub, orgAdmin.token)(API.orgs.get, { params: { id: district.id } }))
      .body;
    expect(after.contact.phone).to.equal('0237 3865 123');
    await a.ctx.close();
  });

  it("offers only the roles the hub's grant table lets this admin grant", async () => {
    const firm = await makeOrg(hub.ctx, { name: 'Công ty Thử Quyền', kind: 'enterprise' });
    const firmAdmin = await makeUser(hub, firm, ['org_admin'], 'Quản Trị Doanh Nghiệp');
    const offered = async (admin: TestUser, path: string, create: string) => {
      const { ctx, page } = await newPage(browser);
      await loginUi(page, hub.url, admin.username, path);
      await page.getByTestId(create).click();
      const boxes = page.getByRole('dialog').locator('.ant-checkbox-wrapper');
      await boxes.first().waitFor();
      const labels = (await boxes.allInnerTexts()).map((l) => l.trim());
      const checked = (
        await page.getByRole('dialog').locator('.ant-checkbox-wrapper-checked').allInnerTexts()
      ).map((l) => l.trim());
      await ctx.close();
      return { labels, checked };
    };
    const agencyUsers = await offered(orgAdmin, '/admin/users', 'user-create');
    expect(agencyUsers.labels).to.have.members(['Quản trị cơ quan', 'Văn thư', 'Lãnh đạo ký']);
    expect(agencyUsers.checked).to.deep.equal(['Văn thư']);
    const firmUsers = await offered(firmAdmin, '/admin/users', 'user-create');
    expect(firmUsers.labels).to.have.members(['Quản trị cơ quan', 'Người dùng doanh nghiệp']);
    const firmKeys = await offered(firmAdmin, '/admin/api-keys', 'api-key-create');
    expect(firmKeys.labels).to.deep.equal(['Người dùng doanh nghiệp']);
    expect(firmKeys.checked).to.deep.equal(['Người dùng doanh nghiệp']);
  });

  it('org admin adds a user with roles; the new user can log in', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, orgAdmin.username, '/admin/users');
    await page.getByTestId('user-row').filter({ hasText: 'Lê Văn Thư' }).waitFor();
    await page.getByTestId('user-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Họ và tên').fill('Nguyễn Thị Lãnh Đạo');
    await dialog.getByLabel('Tên đăng nhập').fill('lanhdao.hoanghoa');
    await dialog.getByLabel('Chức vụ').fill('Phó Chủ tịch');
    await dialog.getByLabel('Lãnh đạo ký').check();
    await dialog.getByLabel('Mật khẩu ban đầu').fill('ngan');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await dialog.getByText('Tối thiểu 10 ký tự, có chữ và số').first().waitFor();
    await dialog.getByLabel('Mật khẩu ban đầu').fill('Lanh-dao-2027');
    await dialog.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('user-row').filter({ hasText: 'Nguyễn Thị Lãnh Đạo' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await screenshot(page, '22-admin-users');
    const users = (await call(hub, orgAdmin.token)(API.users.list)).body;
    const u = users.find((x) => x.username === 'lanhdao.hoanghoa');
    expect(u?.roles).to.have.members(['clerk', 'signer']);
    expect(u?.orgId).to.equal(district.id);
    const login = await fetch(`${hub.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'lanhdao.hoanghoa', password: 'Lanh-dao-2027' }),
    });
    expect(login.status).to.equal(200);
    await ctx.close();
  });

  it('org admin issues seal and personal certificates, downloads the PEM, revokes with a Vietnamese RFC 5280 reason', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, orgAdmin.username, '/certificates');
    await page.getByTestId('issue-seal').click();
    let dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Tạo mới' }).click();
    await page.getByText(/Đã cấp chứng thư số hiệu/).waitFor({ timeout: 30_000 });
    await page.getByTestId('issue-personal').click();
    dialog = page.getByRole('dialog');
    await pick(page, 'Người được cấp', 'Lê Văn Thư');
    await dialog.getByRole('button', { name: 'Tạo mới' }).click();
    await page.locator('tr', { hasText: 'Lê Văn Thư' }).waitFor({ timeout: 30_000 });
    const certs = (await call(hub, orgAdmin.token)(API.certificates.list)).body;
    const personal = certs.find((c) => c.kind === 'personal' && c.userId === clerk.id);
    const seal = certs.find((c) => c.kind === 'seal');
    expect(personal?.keyOnHub).to.equal(true);
    expect(seal?.subject.organization).to.equal(district.name);

    // download: a real certificate, as openssl reads it
    const row = page.locator(`[data-cert="${personal!.serialHex}"]`);
    await row.getByRole('button', { name: 'Tải xuống' }).hover();
    const downloading = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'Chứng thư (PEM)', exact: true }).click();
    const file = join(tmp, 'personal.pem');
    await (await downloading).saveAs(file);
    const x509 = spawnSync('openssl', ['x509', '-noout', '-serial', '-subject', '-in', file], {
      encoding: 'utf8',
    });
    expect(x509.status, x509.stderr).to.equal(0);
    expect(x509.stdout.toLowerCase()).to.contain(personal!.serialHex.toLowerCase());
    expect(readFileSync(file, 'utf8')).to.match(/^-----BEGIN CERTIFICATE-----/);

    await row.getByTestId('cert-revoke').click();
    dialog = page.getByRole('dialog');
    await dialog.getByText('Thu hồi không thể hoàn tác').waitFor();
    await pick(page, 'Lý do thu hồi', 'Lộ khóa bí mật');
    await screenshot(page, '23-admin-cert-revoke');
    await page.locator('#revoke-submit').click();
    await row.locator('[data-status="revoked"]').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await screenshot(page, '24-admin-certificates');
    const revoked = (
      await call(hub, orgAdmin.token)(API.certificates.get, { params: { id: personal!.id } })
    ).body;
    expect(revoked.status).to.equal('revoked');
    expect(revoked.reason).to.equal(1);
    await ctx.close();
  });

  it('org admin creates an API key shown once with a copy button, which works until revoked', async () => {
    const { ctx, page } = await newPage(browser);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write']);
    await loginUi(page, hub.url, orgAdmin.username, '/admin/api-keys');
    await page.getByTestId('page-title').filter({ hasText: 'Khóa API của cơ quan' }).waitFor();
    await page.getByTestId('api-key-create').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Tên gợi nhớ').fill('Hệ thống QLVB huyện');
    await dialog.getByRole('button', { name: 'Tạo mới' }).click();
    const secret = page.getByTestId('api-key-secret');
    await secret.waitFor();
    const key = (await secret.innerText()).trim();
    expect(key).to.match(/^ltk_[A-Za-z0-9]+_[A-Za-z0-9_-]{40,}$/);
    await page.getByText('chỉ hiển thị MỘT lần').waitFor();
    await page.getByText('Trục chỉ lưu bản băm').waitFor();
    await secret.locator('.ant-typography-copy').click();
    expect(await page.evaluate('navigator.clipboard.readText()')).to.equal(key);
    await screenshot(page, '25-admin-api-key-once');
    const withKey = () => fetch(`${hub.url}/api/v1/inbox`, { headers: { 'x-api-key': key } });
    expect((await withKey()).status).to.equal(200);

    await page.getByTestId('api-key-saved').click();
    await page.getByTestId('api-key-secret').waitFor({ state: 'detached' });
    expect(await page.locator('body').innerText()).not.to.contain(key);
    const keys = (await call(hub, orgAdmin.token)(API.apiKeys.list)).body;
    const made = keys.find((k) => k.name === 'Hệ thống QLVB huyện')!;
    const row = page.locator(`[data-api-key="${made.prefix}"]`);
    await row.getByText('Đang dùng').waitFor();
    await screenshot(page, '26-admin-api-keys');
    await row.getByRole('button', { name: 'Thu hồi' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Thu hồi' }).click();
    await row.getByText(/Đã thu hồi/).waitFor();
    expect((await withKey()).status).to.equal(401);
    await ctx.close();
  });
});
