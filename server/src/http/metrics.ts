import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  socketConnections: Gauge;
  mongoPoolConnections: Gauge;
  mongoCheckedOut: Gauge;
  signatures: Counter<'level'>;
};

/** One registry per hub, so several hubs in one test process do not clash. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    socketConnections: new Gauge({
      name: 'socketio_connections',
      help: 'Open Socket.IO connections',
      registers: [registry],
    }),
    mongoPoolConnections: new Gauge({
      name: 'mongodb_pool_connections',
      help: 'Open connections in the MongoDB driver pool',
      registers: [registry],
    }),
    mongoCheckedOut: new Gauge({
      name: 'mongodb_pool_checked_out',
      help: 'MongoDB connections in use',
      registers: [registry],
    }),
    signatures: new Counter({
      name: 'lienthong_signatures_total',
      help: 'PDF signatures applied',
      labelNames: ['level'],
      registers: [registry],
    }),
  };
}

export function httpMetrics(m: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = m.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
