/**
 * What the HTTP edge needs from the metrics registry: its own request-latency histogram and the
 * text of every metric for a scrape. The Prometheus adapter (adapters/metrics) provides it.
 */
export type HttpMetrics = Readonly<{
  /** Seconds per request, labelled method, route pattern, status class (`2xx`). */
  httpDuration: Readonly<{ labels(method: string, route: string, status: string): { observe(seconds: number): void } }>;
  registry: Readonly<{ contentType: string; metrics(): Promise<string> }>;
}>;
