// The injection token of the app's prom-client Registry, apart from MetricsModule (metrics.ts) so
// that a metric's definition can take the registry without loading the module's scrape-time
// collectors (typeorm, Bull) — the engine records into RenderMetrics on the command line too.

/** The app's prom-client Registry (inject it to add metrics of your own). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
