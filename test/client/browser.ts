import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { clientRouter } from '../../server/src/http/client.js';
import type { Hub } from '../../server/src/hub.js';
import { CLIENT_DIST, clientBuilt } from '../setup/client-build.js';
import { TEST_PASSWORD } from '../support/factories.js';
import { startTestHub } from '../support/hub.js';

export const ARTIFACTS = join(tmpdir(), 'lienthong-client-screens');

/**
 * Puts clientRouter() in front of the test hub's own request handler (what hub.ts does once the
 * router is wired in): pages and assets from the build, everything else to the hub as before.
 */
export function serveClient(hub: Hub, dist: string): void {
  const [hubHandler] = hub.http.listeners('request') as ((...a: unknown[]) => void)[];
  if (!hubHandler) throw new Error('the hub has no request handler');
  const front = express();
  front.use(clientRouter({ dist }));
  front.use((req, res) => hubHandler(req, res));
  hub.http.removeAllListeners('request');
  hub.http.on('request', front);
}

let running: Promise<Browser> | undefined;

/**
 * Debian's chromium-headless-shell: Chromium's headless-only build (chrome-headless-shell, what
 * playwright runs by default when headless), the same Blink and V8 without the desktop browser's
 * layer. A new context with its first page costs it ~1.1 s of CPU against ~3 s for
 * `chromium --headless`. The full browser stays the fallback where the package is missing.
 */
const CHROMIUM = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((f) =>
  existsSync(f),
);

/**
 * One Chromium per test process (a mocha worker runs several client files one after the other):
 * starting one costs seconds of CPU. Files share nothing else: each opens its own contexts and
 * closes them (ClientHub.close closes any left). A browser that went away is started anew; at
 * the process's exit playwright ends it.
 */
export function launch(): Promise<Browser> {
  running ??= chromium
    .launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // V8 without its optimizing compilers: a test page lives seconds, and optimizing its hot
        // functions cost more than it saved (app + actions: 48–51 → 38 s of Chromium's CPU)
        '--js-flags=--no-opt --no-maglev',
      ],
    })
    .then((b) => b.on('disconnected', () => (running = undefined)));

  return running;
}

type Viewport = { width: number; height: number };
const LAPTOP: Viewport = { width: 1366, height: 768 };

/**
 * A fresh context (its own storage: one person per context), a 1366×768 laptop by default. The
 * person asks for reduced motion, so antd draws no open/close animations (client lib/motion.ts):
 * fewer frames for Chromium to paint, and nothing moves under a click.
 */
export async function newPage(
  browser: Browser,
  viewport: Viewport = LAPTOP,
  options: BrowserContextOptions = {},
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({
    viewport,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    reducedMotion: 'reduce',
    ...options,
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('[browser error]', e.message));

  return { ctx, page };
}

export async function loginUi(page: Page, base: string, username: string, path = '/inbox') {
  await page.goto(`${base}${path}`);
  await page.locator('#username').waitFor();
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: /Đăng nhập|Sign in/ }).click();
  await page.waitForFunction("!location.pathname.startsWith('/login')");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });

  return file;
}

export type ClientHub = { hub: Hub; browser: Browser; close(): Promise<void> };

/** What every client test starts with: a test hub serving the built client, and Chromium. */
export async function startClientHub(env: Record<string, string> = {}): Promise<ClientHub> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await clientBuilt();
  const hub = await startTestHub(env);
  serveClient(hub, CLIENT_DIST);
  const browser = await launch();

  return {
    hub,
    browser,
    close: async () => {
      await Promise.all(browser.contexts().map((c) => c.close()));
      await hub.close();
    },
  };
}
