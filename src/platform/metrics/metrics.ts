import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one process: Node's defaults, HTTP request durations, refused webhooks. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "konversa_" });
  const requests = new Histogram({
    name: "konversa_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const webhookRejections = new Counter({
    name: "konversa_webhook_rejected_total",
    help: "Inbound webhook calls refused, by reason (missing, stale or mismatching signature)",
    labelNames: ["reason"],
    registers: [registry],
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    countWebhookRejection(reason: string) {
      webhookRejections.inc({ reason });
    },
    observeRequest(props: { method: string; route: string; status: number; seconds: number }) {
      requests.observe(
        { method: props.method, route: props.route, status: String(props.status) },
        props.seconds,
      );
    },
  };
}
