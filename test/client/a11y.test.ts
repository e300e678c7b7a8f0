import { createRequire } from 'node:module';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TOrg } from '../../server/src/contracts/orgs.js';
import type { Hub } from '../../server/src/hub.js';
import {
  api,
  makeDocument,
  makeOrg,
  makeUser,
  sealDocument,
  type TestUser,
} from '../support/factories.js';
import { freePort } from '../support/process.js';
import { loginUi, newPage, screenshot, startClientHub } from './browser.js';

/**
 * Issue #22, item 11: every page audited by axe-core (the standard engine, injected into the
 * page) at 1366×768 and 390×844 — no serious or critical violation; a title per page; no
 * sideways scrolling on a phone; a visible focus ring; readable placeholders.
 */

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SIZES = [
  { name: 'laptop', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };

async function audit(page: Page): Promise<Violation[]> {
  const found = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target })) })))`,
  )) as Violation[];

  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Opens `path` in the app this tab has loaded, the way its own links do (history + popstate), so
 * the page is not reloaded: a reload cost Chromium the client's start and axe-core's injection
 * again for each of the 32 pages.
 */
async function visit(page: Page, path: string): Promise<void> {
  if (new URL(page.url()).pathname === path) return;
  const title = await page.title();
  await page.evaluate(
    `history.pushState(null, '', ${JSON.stringify(path)}); dispatchEvent(new PopStateEvent('popstate'))`,
  );
  // every page has a title of its own (asserted below): the app has switched to the new one
  await page.waitForFunction(`document.title !== ${JSON.stringify(title)}`);
}

/** Resolves once the tab has had no request in flight for 300 ms (its data has arrived). */
function quiet(page: Page): () => Promise<void> {
  let inFlight = 0;
  let lastChange = Date.now();
  const change = (by: number) => () => {
    inFlight += by;
    lastChange = Date.now();
  };
  page.on('request', change(1));
  page.on('requestfinished', change(-1));
  page.on('requestfailed', change(-1));

  return async () => {
    while (inFlight > 0 || Date.now() - lastChange < 300)
      await new Promise((r) => setTimeout(r, 50));
  };
}

/** WCAG contrast ratio of two CSS colours (rgb/rgba over white). */
function contrast(fg: string, bg: string): number {
  const parse = (c: string) => {
    const [r = 0, g = 0, b = 0, a = 1] = (c.match(/[\d.]+/g) ?? []).map(Number);
    // blend over white
    return [r, g, b].map((v) => v * a + 255 * (1 - a));
  };
  const lum = (c: number[]) => {
    const [r, g, b] = c.map((v) => {
      const s = v / 255;

      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    }) as [number, number, number];

    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [l1, l2] = [lum(parse(fg)), lum(parse(bg))].sort((a, b) => b - a) as [number, number];

  return (l1 + 0.05) / (l2 + 0.05);
}

describe('web client accessibility: axe-core over every page, titles, phones, focus (Chromium)', function () {
  this.timeout(300_000);
  let hub: Hub;
  let browser: Browser;
  let close: () => Promise<void>;
  let org: TOrg;
  let clerk: TestUser;
  let admin: TestUser;
  let auditor: TestUser;
  let docId: string;

  before(async () => {
    const port = await freePort();
    ({ hub, browser, close } = await startClientHub({
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    }));
    org = await makeOrg(hub.ctx, { name: 'UBND tỉnh Thanh Hóa', level: 'province' });
    const district = await makeOrg(hub.ctx, {
      name: 'UBND huyện Hoằng Hóa',
      level: 'district',
      parentId: org.id,
    });
    const inspection = await makeOrg(hub.ctx, {
      name: 'Thanh tra tỉnh',
      kind: 'inspection',
      level: 'department',
      parentId: org.id,
    });
    clerk = await makeUser(hub, org, ['clerk', 'signer'], 'Lê Thị Văn Thư');
    admin = await makeUser(hub, org, ['org_admin'], 'Quản Trị Tỉnh');
    auditor = await makeUser(hub, inspection, ['auditor'], 'Phạm Thanh Tra');
    const districtClerk = await makeUser(hub, district, ['clerk'], 'Trần Văn Huyện');
    await api(hub, admin.token)('POST', '/api/v1/certificates/seal', { algorithm: 'p256' });
    const doc = await makeDocument(hub, clerk, { subject: 'Công văn khẩn về phòng chống bão' });
    docId = (await sealDocument(hub, clerk, doc.id, 'B-T')).id;
    for (const [to, subject] of [
      [district, 'Công văn khẩn về phòng chống bão'],
      [org, 'Báo cáo của huyện'],
    ] as const) {
      const from = to === org ? districtClerk : clerk;
      const d = to === org ? (await makeDocument(hub, districtClerk, { subject })).id : docId;
      const res = await api(hub, from.token)('POST', '/api/v1/dispatches', {
        documentId: d,
        recipients: [to.id],
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });

  after(async () => {
    await close?.();
  });

  /** The pages, each as the person who uses it, with what shows the page has loaded. */
  const pages = () =>
    [
      { path: '/login', user: null, ready: 'Đăng nhập' },
      { path: '/verify', user: null, ready: 'Kiểm tra chữ ký số' },
      { path: '/inbox', user: clerk, ready: 'Văn bản đến' },
      { path: '/outbox', user: clerk, ready: 'Văn bản đi' },
      { path: '/compose', user: clerk, ready: 'Soạn và gửi văn bản' },
      { path: `/documents/${docId}`, user: clerk, ready: 'Công văn khẩn về phòng chống bão' },
      { path: '/verify', user: clerk, ready: 'Kiểm tra chữ ký số' },
      { path: '/certificates', user: clerk, ready: 'Chứng thư số' },
      { path: '/workflow/drafts', user: clerk, ready: 'Dự thảo của tôi' },
      { path: '/workflow/to-sign', user: clerk, ready: 'Văn bản chờ tôi ký' },
      { path: '/workflow/to-release', user: clerk, ready: 'Đã ký, chờ cấp số' },
      { path: '/dashboard', user: auditor, ready: 'Thống kê, giám sát' },
      { path: '/admin/orgs', user: admin, ready: 'Cơ quan, đơn vị' },
      { path: '/admin/users', user: admin, ready: 'Người dùng' },
      { path: '/admin/api-keys', user: admin, ready: 'Khóa API' },
      { path: '/khong-co-trang-nay', user: clerk, ready: 'Không tìm thấy' },
    ] as const;

  for (const size of SIZES) {
    it(`every page at ${size.name} size: no serious or critical axe violation, its own title, no sideways scroll`, async () => {
      const problems: string[] = [];
      const titles = new Map<string, string>();
      // one tab per person at this size, signed in through the login page once, then moving
      // from page to page inside the app: a new browser context per page cost Chromium a
      // renderer and a cold load of the client each time, and the hub allows 10 logins a minute
      // per account and address
      const tabs = new Map<string, { page: Page; settled: () => Promise<void> }>();
      const tabOf = async (user: TestUser | null) => {
        const key = user?.username ?? '';
        const open = tabs.get(key);
        if (open) return open;
        const { page } = await newPage(browser, size);
        const settled = quiet(page);
        // through the login page (the verify page is public and would not ask)
        if (user) await loginUi(page, hub.url, user.username, '/certificates');
        else await page.goto(`${hub.url}/login`);
        // the first page drawn, so that visit() starts from its title and not the login page's
        await (user ? page.getByTestId('page-title') : page.locator('#username')).first().waitFor();
        await page.addScriptTag({ path: AXE });
        tabs.set(key, { page, settled });

        return { page, settled };
      };
      for (const p of pages()) {
        const { page, settled } = await tabOf(p.user);
        await visit(page, p.path);
        await page.getByText(p.ready).first().waitFor({ timeout: 30_000 });
        await settled();
        if (p.path.startsWith('/documents/'))
          await page.waitForSelector('[data-testid="pdf-page"][data-rendered="true"]');
        // contexts ask for reduced motion, so antd has no entry animation to wait for
        for (const v of await audit(page))
          problems.push(
            `${p.path} (${p.user ? 'signed in' : 'visitor'}): ${v.impact} ${v.id} — ${v.help} — ${v.nodes
              .map((n) => n.target.join(' '))
              .join(' | ')}`,
          );
        titles.set(p.path.replace(/[0-9a-f]{24}/, ':id'), await page.title());
        if (size.width <= 390) {
          const over: number = await page.evaluate(
            'document.documentElement.scrollWidth - document.documentElement.clientWidth',
          );
          if (over > 0) problems.push(`${p.path}: scrolls sideways by ${over} px at 390 px`);
        }
        await screenshot(
          page,
          `50-a11y-${size.name}-${p.path
            .replace(/[0-9a-f]{24}/, 'id')
            .split('/')
            .filter(Boolean)
            .join('-')}`,
        );
      }
      for (const { page } of tabs.values()) await page.context().close();
      expect(problems, problems.join('\n')).to.deep.equal([]);
      // a title per page, each naming the page
      const names = [...titles.values()];
      for (const t of names) expect(t).to.match(/^.+ — LiênThông$/);
      expect(titles.get('/inbox')).to.equal('Văn bản đến — LiênThông');
      expect(titles.get('/documents/:id')).to.equal('Văn bản — LiênThông');
      expect(new Set(names).size).to.equal(titles.size);
    });
  }

  it('keyboard focus is clearly visible; the inbox search button has a name; placeholders are readable', async () => {
    const { ctx, page } = await newPage(browser);
    await loginUi(page, hub.url, clerk.username);
    await page.getByTestId('page-title').filter({ hasText: 'Văn bản đến' }).waitFor();
    const search = page.getByRole('button', { name: 'Tìm', exact: true });
    expect(await search.count()).to.equal(1);
    await page.getByLabel('Tìm kiếm').focus();
    await page.keyboard.press('Tab');
    const ring = (await page.evaluate(`(() => {
      const s = getComputedStyle(document.activeElement);
      return { name: document.activeElement.getAttribute('aria-label'), style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
    })()`)) as { name: string; style: string; width: number; color: string };
    expect(ring.name).to.equal('Tìm');
    expect(ring.style).not.to.equal('none');
    expect(ring.width).to.be.at.least(2);
    expect(contrast(ring.color, 'rgb(255, 255, 255)')).to.be.at.least(3);
    const placeholder = (await page.evaluate(
      `getComputedStyle(document.querySelector('input[placeholder^="Tìm theo"]'), '::placeholder').color`,
    )) as string;
    expect(contrast(placeholder, 'rgb(255, 255, 255)')).to.be.at.least(4.5);
    // the urgency and status tags: AA on their own backgrounds (once the list has loaded)
    await page.locator('.ant-tag').first().waitFor();
    const tags = (await page.evaluate(`[...document.querySelectorAll('.ant-tag')].map((t) => {
      const s = getComputedStyle(t);
      return [t.textContent, s.color, s.backgroundColor];
    })`)) as [string, string, string][];
    expect(tags.length).to.be.greaterThan(0);
    for (const [text, fg, bg] of tags)
      expect(contrast(fg, bg), `${text}: ${fg} on ${bg}`).to.be.at.least(4.5);
    await ctx.close();
  });
});
