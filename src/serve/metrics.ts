/**
 * Prometheus metrics of one server (prom-client, a registry of its own, so
 * two servers in one process never share counters): TFTP transfers and
 * bytes by outcome, HTTP requests by route and status, callbacks by kind and
 * result, ProxyDHCP answers, lifecycle transitions, errors by component,
 * and installs by state (read from the store when scraped).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { HOST_STATES, type Store } from '../state/index.ts';

/** The metrics a server updates. */
export interface ServeMetrics {
  registry: Registry;
  tftpTransfers: Counter<'outcome'>;
  tftpBytes: Counter<'outcome'>;
  httpRequests: Counter<'route' | 'status'>;
  httpBytes: Counter<'route'>;
  callbacks: Counter<'kind' | 'result'>;
  dhcp: Counter<'via' | 'result'>;
  transitions: Counter<'state'>;
  errors: Counter<'component'>;
}

/** Create the registry; `store` feeds the installs-by-state gauge at scrape time. */
export function createServeMetrics(store: Store): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'remaster_process_' });
  const r = [registry];
  const metrics: ServeMetrics = {
    registry,
    tftpTransfers: new Counter({ name: 'remaster_tftp_transfers_total', help: 'TFTP requests by outcome (complete, not-found, timeout, ...)', labelNames: ['outcome'], registers: r }),
    tftpBytes: new Counter({ name: 'remaster_tftp_bytes_total', help: 'File bytes acknowledged by TFTP clients', labelNames: ['outcome'], registers: r }),
    httpRequests: new Counter({ name: 'remaster_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: r }),
    httpBytes: new Counter({ name: 'remaster_http_file_bytes_total', help: 'File bytes sent over HTTP', labelNames: ['route'], registers: r }),
    callbacks: new Counter({ name: 'remaster_callbacks_total', help: 'Install callbacks by kind and result', labelNames: ['kind', 'result'], registers: r }),
    dhcp: new Counter({ name: 'remaster_proxydhcp_datagrams_total', help: 'ProxyDHCP datagrams by port and result (reply, ignore, error)', labelNames: ['via', 'result'], registers: r }),
    transitions: new Counter({ name: 'remaster_lifecycle_transitions_total', help: 'Lifecycle transitions applied, by new state', labelNames: ['state'], registers: r }),
    errors: new Counter({ name: 'remaster_errors_total', help: 'Unexpected errors by component', labelNames: ['component'], registers: r }),
  };
  new Gauge({
    name: 'remaster_hosts', help: 'Hosts by install state', labelNames: ['state'], registers: r,
    async collect() {
      const hosts = await store.listHosts().catch(() => undefined);
      if (hosts === undefined) return;
      const counts = new Map<string, number>(HOST_STATES.map((s) => [s, 0]));
      for (const h of hosts) counts.set(h.state, (counts.get(h.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  return metrics;
}
