/** The address a server listens on, or a client connects from. */
export interface HttpAddr {
  /** IP address or host name. */
  hostname: string;
  /** TCP port. */
  port: number;
}

/** What a fetch-style handler gets besides the Request. */
export interface RequestInfo {
  /** The client's address. */
  remoteAddr: HttpAddr;
}

/** The handler a runtime adapter runs: it never throws (the shared core turns errors into responses). */
export type AdapterHandler = (request: Request, info: RequestInfo) => Promise<Response>;

/** What a runtime adapter needs to start listening. */
export interface AdapterServeOptions {
  hostname: string;
  port: number;
  /** PEM certificate chain and private key, for HTTPS. */
  tls?: { cert: string; key: string };
}

/** A listening server, as an adapter hands it back. */
export interface AdapterServer {
  readonly addr: HttpAddr;
  /**
   * Whether `request.signal` may be read and passed on. Deno 2.9's `Deno.serve` aborts it
   * even after a successful response (its "legacy" behaviour) and prints a warning the
   * first time it is read, so the shared core leaves it alone there.
   */
  readonly forwardSignal: boolean;
  /** Stops accepting, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Starts an HTTP server on one runtime (`serve_node.ts`, `serve_deno.ts`, `serve_bun.ts`). */
export type ServeAdapter = (handler: AdapterHandler, options: AdapterServeOptions) => Promise<AdapterServer>;
