/**
 * Does a datagram come from the UDP echo server's own socket? Echoing one would send it
 * to the server itself, which would echo it again, forever (at full speed, on every
 * runtime). Only a forged datagram has that source, but forging takes one packet.
 *
 * The addresses are compared, not their spellings: a server bound to 0.0.0.0 is reached
 * at 127.0.0.1 and at every other address of the machine, and a dual-stack (`::`)
 * socket sees IPv4 senders as `::ffff:a.b.c.d`.
 *
 * @module
 */
import { AddressNotAvailableError, bindUdp, type NetAddr } from "../net/mod.ts";
import { type IpBytes, isLoopbackIp, isUnspecifiedIp, parseIp, sameIp } from "../net/_ip.ts";

/** Answers about this machine's addresses are kept for this many addresses at most. */
const MAX_REMEMBERED = 256;

/** Tells the datagrams that claim to come from the socket at `own` itself. */
export class OwnAddressCheck {
  readonly #ip: IpBytes | undefined;
  readonly #port: number;
  readonly #everyAddress: boolean;
  readonly #local = new Map<string, Promise<boolean>>();

  constructor(own: NetAddr) {
    this.#ip = parseIp(own.hostname);
    this.#port = own.port;
    this.#everyAddress = this.#ip !== undefined && isUnspecifiedIp(this.#ip);
  }

  /**
   * Whether `from` is this socket: at once in almost every case (the port differs), or
   * after asking the kernel whether an address is one of this machine's.
   */
  isOwn(from: NetAddr): boolean | Promise<boolean> {
    if (from.port !== this.#port) return false;
    const ip = parseIp(from.hostname);
    // An address that cannot be read cannot be answered safely either.
    if (ip === undefined || this.#ip === undefined) return true;
    // 0.0.0.0 / :: as a destination means "this host": the echo would come back here.
    if (isUnspecifiedIp(ip) || sameIp(ip, this.#ip)) return true;
    if (!this.#everyAddress) return false;
    if (isLoopbackIp(ip)) return true;
    return this.#isThisMachine(from.hostname);
  }

  /** Whether `address` is one of this machine's: the kernel binds only to those. */
  #isThisMachine(address: string): Promise<boolean> {
    let answer = this.#local.get(address);
    if (answer === undefined) {
      if (this.#local.size >= MAX_REMEMBERED) this.#local.clear();
      answer = bindUdp({ hostname: address, port: 0 }).then(
        (probe) => {
          probe.close();
          return true;
        },
        // Not an address here: a real peer. Anything else (no permission to bind it)
        // leaves the question open, and a datagram that may loop is not worth echoing.
        (error) => !(error instanceof AddressNotAvailableError),
      );
      this.#local.set(address, answer);
    }
    return answer;
  }
}
