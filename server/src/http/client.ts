import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { ViteDevServer } from 'vite';

export type ClientOptions = {
  /** The client's source folder (index.html, vite.config.ts); defaults to <repo>/client. */
  root?: string;
  /** The built client; defaults to <root>/dist. When it does not exist, Vite serves the sources. */
  dist?: string;
};

const CLIENT_ROOT = fileURLToPath(new URL('../../../client/', import.meta.url));

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

/** The built client: hashed assets cached for a year, index.html always revalidated. */
function staticRouter(dist: string): Router {
  const r = Router();
  const index = join(dist, 'index.html');
  r.use(
    '/assets',
    express.static(join(dist, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
    }),
  );
  r.use(skipServerPaths(express.static(dist, { index: false, maxAge: 0 })));
  r.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });

  return r;
}

/**
 * No build yet (a fresh clone): Vite in middleware mode compiles the sources on request, so
 * `npm start` serves the app at once. Vite is loaded only then: a production hub never imports it.
 */
function viteRouter(root: string): Router {
  let server: Promise<ViteDevServer> | undefined;
  const vite = () =>
    (server ??= import('vite').then(({ createServer }) =>
      createServer({
        root,
        configFile: join(root, 'vite.config.ts'),
        appType: 'custom',
        logLevel: 'warn',
        // ws: false — no HMR websocket server on port 24678 (it would clash between hubs and with other tools)
        server: { middlewareMode: true, hmr: false, ws: false, watch: null },
      }),
    ));
  const r = Router();
  r.use(
    skipServerPaths((req, res, next) => {
      vite()
        .then((v) => v.middlewares(req, res, next))
        .catch(next);
    }),
  );
  r.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    vite()
      .then(async (v) => {
        const html = await v.transformIndexHtml(
          req.originalUrl,
          readFileSync(join(root, 'index.html'), 'utf8'),
        );
        // development only: Vite's React preamble is an inline module script
        res.setHeader(
          'content-security-policy',
          String(res.getHeader('content-security-policy') ?? '').replace(
            "script-src 'self'",
            "script-src 'self' 'unsafe-inline'",
          ),
        );
        res.status(200).type('html').setHeader('cache-control', 'no-cache').end(html);
      })
      .catch(next);
  });

  return r;
}

/**
 * Serves the web client: client/dist when built, otherwise Vite from the sources. Every GET of
 * a page path (not /api, /pki, /socket.io) answers index.html: the client routes in the browser.
 */
export function clientRouter(opts: ClientOptions = {}): Router {
  const root = opts.root ?? CLIENT_ROOT;
  const dist = opts.dist ?? join(root, 'dist');

  return existsSync(join(dist, 'index.html')) ? staticRouter(dist) : viteRouter(root);
}
