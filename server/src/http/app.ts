import { randomUUID } from 'node:crypto';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { HubContext } from '../context.js';
import { authenticate } from '../modules/auth/index.js';
import type { Mount } from '../modules/module.js';
import { bodyGate, jsonBody } from './edge.js';
import { failFast } from './fail-fast.js';
import { healthRoutes } from './health.routes.js';
import { httpMetrics } from './metrics.js';
import { notFoundHandler, problemHandler } from './problem.js';

export type { Mount };

/**
 * Content-Security-Policy for the built web client and the API docs: scripts only from the hub
 * itself; pdf.js runs its worker from a blob: URL; antd's CSS-in-JS injects <style> elements;
 * signature images are data:/blob: URLs; Socket.IO connects over ws:/wss:.
 */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const SECRET_PARAM = /^(.*token.*|.*key.*|.*password.*|.*secret.*|signature|sig|code)$/i;

/** A credential a client put in the query string must not be written to the log with the URL. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        /* keep the raw name */
      }
      return SECRET_PARAM.test(decoded) ? `${name}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/**
 * The express app: logging, headers, metrics; then the edge in the order that keeps bodies
 * unread until the caller is known: authenticate (headers only) → bodyGate (an anonymous body
 * outside the few public body routes is a 401 at once) → JSON parser with per-route limits →
 * the modules' routers (their own parsers, after their role checks), then problems.
 */
export function createApp(ctx: HubContext, mounts: Mount[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies TRUST_PROXY names; unset, req.ip is the socket's address
  app.set('trust proxy', ctx.config.TRUST_PROXY ?? false);
  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);

        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      serializers: {
        req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(httpMetrics(ctx.metrics));
  app.use(failFast(ctx)); // database away or disk full: 503/507 at once (docs/operations.md)
  app.use('/api', authenticate(ctx));
  app.use(bodyGate(ctx.config));
  app.use(healthRoutes(ctx));
  app.use('/api', jsonBody(ctx.config));
  for (const m of mounts) app.use(m.path, m.router);
  app.use(notFoundHandler);
  app.use(problemHandler);

  return app;
}
