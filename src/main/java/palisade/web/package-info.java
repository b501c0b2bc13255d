/**
 * The daemon's HTTP server: health ({@code /healthz}), readiness ({@code /readyz}), Prometheus metrics
 * ({@code /metrics}), the token-authenticated API under {@code /api/} (reads, the CLI's writes through
 * {@link palisade.runtime.store.Operations}, the event stream, the fence timelines, the OpenAPI document) and the
 * dashboard served from the jar. It observes a daemon through {@link palisade.runtime.daemon.Telemetry}; nothing in
 * the core or the runtime depends on it.
 */
package palisade.web;
