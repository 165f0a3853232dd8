import client from 'prom-client';

/** Prometheus metrics of one process, in its own registry (several apps can share a test process). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new client.Counter({ name: 'atendo_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'status'], registers: [registry] }),
    httpDuration: new client.Histogram({
      name: 'atendo_http_request_duration_seconds', help: 'HTTP request duration', labelNames: ['method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    heartbeats: new client.Counter({ name: 'atendo_license_heartbeats_total', help: 'License heartbeats by outcome', labelNames: ['outcome'], registers: [registry] }),
    licenseState: new client.Gauge({ name: 'atendo_license_state', help: '1 for the license state in force', labelNames: ['state'], registers: [registry] }),
    socketsConnected: new client.Gauge({ name: 'atendo_sockets_connected', help: 'Connected dashboard sockets in this process', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
