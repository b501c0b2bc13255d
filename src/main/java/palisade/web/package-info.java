/**
 * The daemon's HTTP server: health ({@code /healthz}), readiness ({@code /readyz}) and Prometheus metrics
 * ({@code /metrics}). It observes a daemon through {@link palisade.runtime.daemon.Telemetry}; nothing in the core or
 * the runtime depends on it.
 */
package palisade.web;
