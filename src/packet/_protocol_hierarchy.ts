/**
 * A protocol hierarchy like `tshark -z io,phs`: for every chain of layers the decoder
 * recognised (frame, link, VLAN, network, transport, application), how many frames and
 * bytes (original lengths) contain it. Counted from rows of the packet table.
 *
 * @module
 */
import * as L from "./_layout.ts";
import { linkName } from "./_link_types.ts";

/** One node of the hierarchy: a protocol under its parent chain. */
export interface HierarchyNode {
  /** tshark's short name: `eth`, `ip`, `ipv6`, `tcp`, `tls` … */
  protocol: string;
  frames: number;
  bytes: number;
  children: HierarchyNode[];
}

/** tshark's names of the link layers the decoder reads. */
const LINK_NAMES: Record<string, string> = {
  ethernet: "eth",
  sll: "sll",
  sll2: "sll2",
  null: "null",
  loop: "null",
  raw: "raw",
};

/** Counts rows into a tree rooted at `frame`. */
export class ProtocolHierarchy {
  readonly root: HierarchyNode = { protocol: "frame", frames: 0, bytes: 0, children: [] };
  private readonly path: string[] = [];

  /** Adds rows `[0, n)` of table `t`. */
  addRows(t: Int32Array, n: number): void {
    const path = this.path;
    for (let r = 0; r < n; r++) {
      const base = r * L.NCOLS;
      const f = t[base + L.C_FLAGS];
      path.length = 0;
      const link = linkName(t[base + L.C_LINK], (f & L.F_UNSUPPORTED) !== 0);
      if (link !== "unsupported") path.push(LINK_NAMES[link] ?? link);
      if (f & L.F_ETH && t[base + L.C_VLANS] > 0) path.push("vlan");
      if (f & L.F_ARP) path.push("arp");
      else if (f & L.F_IP4) path.push("ip");
      else if (f & L.F_IP6) path.push("ipv6");
      if (f & L.F_TCP) path.push("tcp");
      else if (f & L.F_UDP) path.push("udp");
      else if (f & L.F_ICMP) path.push("icmp");
      else if (f & L.F_ICMP6) path.push("icmpv6");
      if (f & L.F_DNS) path.push("dns");
      else if (f & L.F_TLS) path.push("tls");
      else if (f & L.F_HTTP) path.push("http");
      this.count(path, t[base + L.C_LEN] >>> 0);
    }
  }

  private count(path: readonly string[], bytes: number): void {
    let node = this.root;
    node.frames++;
    node.bytes += bytes;
    for (const protocol of path) {
      let child = node.children.find((c) => c.protocol === protocol);
      if (!child) {
        child = { protocol, frames: 0, bytes: 0, children: [] };
        node.children.push(child);
      }
      child.frames++;
      child.bytes += bytes;
      node = child;
    }
  }
}
