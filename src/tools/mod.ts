/**
 * Network tools, each a library function and an `anynet` command: netstat (this
 * machine's sockets), tcping (TCP connect times), a load-balancing proxy and an echo
 * load generator, and the `anynet demo` tour.
 *
 * @module
 */
export { NotSupportedError } from "./errors.ts";
export { formatEndpoint, netstat, type NetstatEntry, type NetstatOptions } from "./netstat.ts";
export { parseProcNetTable, type SocketEntry, type SocketProtocol } from "./proc_net.ts";
export { type CertificateOptions, type CertificateSet, createCertificates } from "./certificates.ts";
export {
  DEMO_MESSAGE,
  DEMO_STEPS,
  type DemoOptions,
  type DemoResult,
  type DemoStep,
  type DemoStepId,
  runDemo,
} from "./demo.ts";
export { parseHostPort, type ParseHostPortOptions } from "./host_port.ts";
export {
  summarizeTcping,
  tcping,
  type TcpingOptions,
  type TcpingProbe,
  type TcpingStage,
  type TcpingSummary,
  type TcpingTlsOptions,
} from "./tcping.ts";
export { type CertificateSummary, summarizeCertificate } from "./certificate_summary.ts";
export {
  type BackendState,
  type ConnectTimeStats,
  type ProxyBackendStats,
  type ProxyEvent,
  type ProxyOptions,
  type ProxyProtocolVersion,
  type ProxyServer,
  type ProxyStats,
  type ProxyStrategy,
  startProxy,
  type WeightedAddr,
} from "./proxy.ts";
export { parseBackend } from "./proxy_backend.ts";
export { proxyProtocolHeader } from "./proxy_protocol.ts";
export { proxyMetricsText, type ProxyStatsServerOptions, serveProxyStats } from "./proxy_metrics.ts";
export { echoLoad, type EchoLoadOptions, type EchoLoadResult } from "./echo_load.ts";
export { httpLoad, type HttpLoadOptions, type HttpLoadProgress, type HttpLoadResult } from "./http_load.ts";
