/**
 * Network tools, each a library function and an `anynet` command: netstat (this
 * machine's sockets), and more as they land.
 *
 * @module
 */
export { NotSupportedError } from "./errors.ts";
export { formatEndpoint, netstat, type NetstatEntry, type NetstatOptions } from "./netstat.ts";
export { parseProcNetTable, type SocketEntry, type SocketProtocol } from "./proc_net.ts";
export { type CertificateOptions, type CertificateSet, createCertificates } from "./certificates.ts";
export { DEMO_MESSAGE, DEMO_STEPS, type DemoOptions, type DemoResult, type DemoStep, type DemoStepId, runDemo } from "./demo.ts";
