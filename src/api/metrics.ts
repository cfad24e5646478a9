import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; /metrics serves it. */
export interface HubMetrics {
  registry: Registry;
  webhookAcks: Counter<'connector' | 'outcome'>;
  webhookRejections: Counter<'connector' | 'reason'>;
  jobsProcessed: Counter<'queue' | 'connector'>;
  jobsFailed: Counter<'queue' | 'connector' | 'error_code'>;
  processingSeconds: Histogram<'queue'>;
  outboundCalls: Counter<'connector'>;
}

export function createMetrics(): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });
  return {
    registry,
    webhookAcks: new Counter({
      name: 'hub_webhook_acks_total',
      help: 'Webhook deliveries acknowledged, by outcome (accepted, duplicate, ignored)',
      labelNames: ['connector', 'outcome'],
      registers: [registry],
    }),
    webhookRejections: new Counter({
      name: 'hub_webhook_rejections_total',
      help: 'Webhook deliveries refused, by reason (invalid_signature, malformed_json, too_large, unknown_connector, ...)',
      labelNames: ['connector', 'reason'],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'hub_jobs_processed_total',
      help: 'Jobs completed',
      labelNames: ['queue', 'connector'],
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: 'hub_jobs_failed_total',
      help: 'Job attempts that failed, by error code',
      labelNames: ['queue', 'connector', 'error_code'],
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'hub_job_processing_seconds',
      help: 'Time to process one job',
      labelNames: ['queue'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    outboundCalls: new Counter({
      name: 'hub_outbound_calls_total',
      help: 'HTTP calls made to external APIs by pushers',
      labelNames: ['connector'],
      registers: [registry],
    }),
  };
}
