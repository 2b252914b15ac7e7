/**
 * Traffic per address, summed over the connections it took part in: what
 * `pcap conv --endpoints` prints and the HTML report lists. The table is bounded: past
 * `maxAddresses`, the addresses not yet in it are summed under one row.
 *
 * @module
 */
import type { ConnRecord } from "./_conn_tracker.ts";

/** Traffic of one address over every connection it took part in. */
export interface EndpointCounts {
  address: string;
  connections: number;
  tx_pkts: number;
  tx_ip_bytes: number;
  rx_pkts: number;
  rx_ip_bytes: number;
}

/** The row that sums the addresses past the bound. */
export const OTHER_ADDRESSES = "(other addresses)";

/** Sums connections per address, for at most `maxAddresses` addresses. */
export class EndpointTable {
  /** Whether addresses past the bound were summed as {@linkcode OTHER_ADDRESSES}. */
  overflowed = false;
  private readonly rows = new Map<string, EndpointCounts>();
  private readonly maxAddresses: number;

  constructor(maxAddresses: number) {
    this.maxAddresses = maxAddresses;
  }

  /** Rows in the table (with the one of other addresses, when there is one). */
  get size(): number {
    return this.rows.size;
  }

  /** Counts a finished connection for both its ends. */
  add(c: ConnRecord): void {
    const o = this.endpoint(c["id.orig_h"]), r = this.endpoint(c["id.resp_h"]);
    o.connections++;
    o.tx_pkts += c.orig_pkts;
    o.tx_ip_bytes += c.orig_ip_bytes;
    o.rx_pkts += c.resp_pkts;
    o.rx_ip_bytes += c.resp_ip_bytes;
    if (r !== o) r.connections++;
    r.tx_pkts += c.resp_pkts;
    r.tx_ip_bytes += c.resp_ip_bytes;
    r.rx_pkts += c.orig_pkts;
    r.rx_ip_bytes += c.orig_ip_bytes;
  }

  /** Every row, the most bytes sent and received first. */
  sorted(): EndpointCounts[] {
    return [...this.rows.values()].sort((a, b) => b.tx_ip_bytes + b.rx_ip_bytes - a.tx_ip_bytes - a.rx_ip_bytes);
  }

  private endpoint(address: string): EndpointCounts {
    let e = this.rows.get(address);
    if (!e) {
      if (this.rows.size >= this.maxAddresses) {
        this.overflowed = true;
        address = OTHER_ADDRESSES;
        e = this.rows.get(address);
      }
      if (!e) {
        e = { address, connections: 0, tx_pkts: 0, tx_ip_bytes: 0, rx_pkts: 0, rx_ip_bytes: 0 };
        this.rows.set(address, e);
      }
    }
    return e;
  }
}
