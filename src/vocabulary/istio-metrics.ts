/**
 * Istio's standard metrics that show traffic arriving without mutual TLS:
 * requests and TCP connections reported by the destination sidecar with a
 * `connection_security_policy` other than `mutual_tls`. Shared by the
 * plaintext alerts and the migration gates, so both watch the same thing.
 */
export const ISTIO_REQUESTS_METRIC = 'istio_requests_total';
export const ISTIO_TCP_CONNECTIONS_METRIC = 'istio_tcp_connections_opened_total';
export const PLAINTEXT_TRAFFIC_MATCHERS = 'reporter="destination",connection_security_policy!="mutual_tls"';
