import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  extendZodWithOpenApi,
} from '@asteasolutions/zod-to-openapi';
import express, { Router, type RequestHandler } from 'express';
import { z, type ZodTypeAny } from 'zod';
import type { Mount } from './app.js';
import type { RouteSpec } from './route.js';

extendZodWithOpenApi(z);

type Layer = {
  route?: {
    path: string;
    methods: Record<string, boolean>;
    stack: { handle: RequestHandler & { spec?: RouteSpec<unknown, unknown, unknown> } }[];
  };
};

const PROBLEM = {
  description: 'application/problem+json (type, title, status, detail, code, requestId)',
};

function openApiPath(prefix: string, path: string): string {
  const full = `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}` || '/';

  return full.replace(/:(\w+)/g, '{$1}');
}

function register(
  reg: OpenAPIRegistry,
  method: string,
  path: string,
  spec: RouteSpec<unknown, unknown, unknown> | undefined,
): void {
  const tag = path.split('/')[3] ?? path.split('/')[1] ?? 'hub';
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  reg.registerPath({
    method: method as 'get',
    path,
    tags: [tag],
    ...(spec?.roles !== undefined ? { 'x-roles': spec.roles } : {}),
    ...(spec?.roles !== undefined
      ? {
          security: [{ bearer: [] }, { apiKey: [] }],
          description: spec.roles.length
            ? `Vai trò: ${spec.roles.join(', ')}`
            : 'Mọi người dùng đã đăng nhập',
        }
      : {}),
    request: {
      ...(spec?.params
        ? { params: spec.params as never }
        : params.length
          ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) }
          : {}),
      ...(spec?.query ? { query: spec.query as never } : {}),
      ...(spec?.body
        ? { body: { content: { 'application/json': { schema: spec.body as ZodTypeAny } } } }
        : {}),
    },
    responses: {
      200: { description: 'OK' },
      400: PROBLEM,
      401: PROBLEM,
      403: PROBLEM,
      404: PROBLEM,
    },
  });
}

/** OpenAPI 3.1 from the mounted routers: paths, methods, and the zod schemas of route() specs. */
export function openApiDocument(mounts: Mount[]): object {
  const reg = new OpenAPIRegistry();
  reg.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  reg.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
  });
  for (const m of mounts) {
    for (const layer of (m.router as unknown as { stack: Layer[] }).stack) {
      if (!layer.route) continue;
      const spec = layer.route.stack.map((s) => s.handle.spec).find(Boolean);
      for (const method of Object.keys(layer.route.methods))
        register(reg, method, openApiPath(m.path, layer.route.path), spec);
    }
  }

  return new OpenApiGeneratorV31(reg.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'LiênThông API',
      version: '1',
      description: 'Trục liên thông văn bản và ký số PAdES',
    },
    servers: [{ url: '/' }],
  });
}

const SWAGGER_PAGE = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>LiênThông API</title>
<link rel="stylesheet" href="./swagger-ui.css"></head><body><div id="ui" data-spec="/api/openapi.json"></div>
<script src="./swagger-ui-bundle.js"></script>
<script src="./init.js"></script></body></html>`;
// a file, not an inline script: the Content-Security-Policy allows scripts from 'self' only
const SWAGGER_INIT = `SwaggerUIBundle({ url: document.getElementById('ui').dataset.spec, dom_id: '#ui' });`;

export function openApiRoutes(mounts: Mount[]): Router {
  const r = Router();
  let doc: object | undefined;
  r.get('/openapi.json', (_req, res) => {
    doc ??= openApiDocument(mounts);
    res.json(doc);
  });
  r.get(['/docs', '/docs/'], (req, res) => {
    if (!req.originalUrl.endsWith('/')) return res.redirect(301, '/api/docs/');
    res.type('html').send(SWAGGER_PAGE);
  });
  r.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(SWAGGER_INIT);
  });
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  r.use('/docs', express.static(dist, { index: false }));

  return r;
}
