/**
 * `fetch` with extra trusted CA certificates on Bun: `fetch(url, { tls: { ca } })`. Bun's
 * `ca` replaces the default list, so Node's bundled roots go first and the extra CAs
 * after them (verification stays on).
 *
 * @module
 */
import { rootCertificates } from "node:tls";
import type { FetchWithCa } from "../http_types.ts";

/** Bun's fetch trusting `caCerts` besides the bundled roots. */
export const bunFetchWithCa: FetchWithCa = (url, init, caCerts) =>
  fetch(url, { ...init, tls: { ca: [...rootCertificates, ...caCerts] } } as RequestInit);
