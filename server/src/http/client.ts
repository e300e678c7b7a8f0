import { existsSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';

export type ClientOptions = {
  /** The built client; defaults to <repo>/client/dist. */
  dist?: string;
};

const CLIENT_DIST = fileURLToPath(new URL('../../../client/dist/', import.meta.url));

/** The command that builds the client, as the "not built" page tells it. */
export const BUILD_COMMAND = 'npm run build:client';

/** Paths the hub answers itself: never the SPA's index.html. */
const SERVER_PATHS = /^\/(api|pki|socket\.io)(\/|$)|^\/(healthz|readyz|metrics)$/;

function wantsPage(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (SERVER_PATHS.test(req.path)) return false;
  // a path with an extension is a file: a missing one is a 404, not the app
  return !/\.[a-z0-9]+$/i.test(req.path);
}

function skipServerPaths(handler: (req: Request, res: Response, next: NextFunction) => void) {
  return (req: Request, res: Response, next: NextFunction) =>
    SERVER_PATHS.test(req.path) ? next() : handler(req, res, next);
}

/**
 * express.static already refuses `..` and dotfiles; this also refuses a file that resolves
 * outside dist through a symbolic link, so only what the build wrote is ever served.
 */
function insideDist(dist: string) {
  return (req: Request, _res: Response, next: NextFunction) => {
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next('router');
    }
    let root: string;
    try {
      root = realpathSync(dist);
    } catch {
      return next('router');
    }
    realpath(join(dist, rel)).then(
      (real) => next(real === root || real.startsWith(root + sep) ? undefined : 'router'),
      () => next(), // no such file: express.static passes it on
    );
  };
}

/** The built client: hashed assets cached for a year, index.html always revalidated. */
function staticRouter(dist: string): Router {
  const r = Router();
  const index = join(dist, 'index.html');
  r.use(skipServerPaths(insideDist(dist)));
  r.use(
    '/assets',
    express.static(join(dist, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      dotfiles: 'ignore',
      redirect: false,
    }),
  );
  r.use(
    skipServerPaths(
      express.static(dist, { index: false, maxAge: 0, dotfiles: 'ignore', redirect: false }),
    ),
  );
  r.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });

  return r;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="vi">
  <head>
    <meta charset="utf-8" />
    <title>LiênThông — giao diện web chưa được dựng</title>
    <style>
      body { font-family: sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5; }
      code { background: #f0f0f0; padding: 0.1rem 0.3rem; }
    </style>
  </head>
  <body>
    <h1>Giao diện web chưa được dựng</h1>
    <p>Hub LiênThông đang chạy (REST API tại <code>/api/v1</code>), nhưng chưa có bản dựng của
      giao diện web (<code>client/dist</code>).</p>
    <p>Hãy chạy <code>${BUILD_COMMAND}</code> (hoặc <code>npm ci</code>, lệnh này tự dựng giao
      diện) trong thư mục mã nguồn, rồi tải lại trang này.</p>
  </body>
</html>
`;

/**
 * No build: every page path answers a plain page saying how to build the client, with 503 so
 * that monitoring and caches do not take it for the app. Nothing is read from disk: a file path
 * (with an extension) goes on to the hub's 404.
 */
function notBuilt(req: Request, res: Response, next: NextFunction): void {
  if (!wantsPage(req)) return next();
  res.status(503).type('html').setHeader('cache-control', 'no-store').send(NOT_BUILT_PAGE);
}

/**
 * Serves the web client from client/dist; every GET of a page path (not /api, /pki, /socket.io)
 * answers index.html, the client routes in the browser. The hub never runs Vite: without a
 * build it answers the "not built" page, and serves a build made meanwhile without a restart.
 */
export function clientRouter(opts: ClientOptions = {}): Router {
  const dist = opts.dist ?? CLIENT_DIST;
  const index = join(dist, 'index.html');
  const built = staticRouter(dist);
  const r = Router();
  r.use((req, res, next) => (existsSync(index) ? built(req, res, next) : notBuilt(req, res, next)));

  return r;
}
