import { bracketHost } from "../_address.ts";
import { listSystemDir, readSystemFile, readSystemLink } from "../runtime/system.ts";
import { NotSupportedError } from "./errors.ts";
import { parseProcNetTable, type SocketEntry, type SocketProtocol } from "./proc_net.ts";

/** Options for {@linkcode netstat}. */
export interface NetstatOptions {
  /** Include TCP sockets. @default {true} unless only `udp` is set */
  tcp?: boolean;
  /** Include UDP sockets. @default {true} unless only `tcp` is set */
  udp?: boolean;
  /** Only listening sockets: TCP in LISTEN, unconnected UDP. @default {false} */
  listening?: boolean;
  /** Find the process holding each socket (only processes this user may inspect). @default {true} */
  owners?: boolean;
  /** Where procfs is mounted; another value reads a container's or a test's copy. @default {"/proc"} */
  procRoot?: string;
}

/** A socket with, where readable, the process that holds it. */
export interface NetstatEntry extends SocketEntry {
  /** Process id of the (first) process holding the socket, when it could be found. */
  pid?: number;
  /** That process's program name (`/proc/PID/comm`). */
  program?: string;
}

/** `ADDR:PORT`, with IPv6 addresses in brackets and port 0 as `*` (no port), as `ss` does. */
export function formatEndpoint(address: string, port: number): string {
  return `${bracketHost(address)}:${port === 0 ? "*" : port}`;
}

async function socketOwners(procRoot: string): Promise<Map<number, { pid: number; program: string }>> {
  const owners = new Map<number, { pid: number; program: string }>();
  const pids = (await listSystemDir(procRoot)).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    const fds = await listSystemDir(`${procRoot}/${pid}/fd`);
    let program: string | undefined;
    for (const fd of fds) {
      const target = await readSystemLink(`${procRoot}/${pid}/fd/${fd}`);
      const match = target?.match(/^socket:\[(\d+)\]$/);
      if (!match) continue;
      const inode = Number(match[1]);
      if (owners.has(inode)) continue;
      program ??= (await readSystemFile(`${procRoot}/${pid}/comm`))?.trim() ?? "?";
      owners.set(inode, { pid, program });
    }
  }
  return owners;
}

/**
 * Lists this machine's TCP and UDP sockets from Linux's `/proc/net/{tcp,tcp6,udp,udp6}`,
 * like `ss -tuna`: state, addresses, queue sizes and, where readable, the owning process.
 *
 * @param options Which sockets, and whether to look up owners.
 * @returns The sockets, TCP before UDP, IPv4 before IPv6, in the kernel's order.
 * @throws {NotSupportedError} When no socket table can be read (not Linux, or no procfs).
 * @example Is anything listening on port 65432?
 * ```ts
 * import { netstat } from "anynet/tools";
 * const listeners = await netstat({ tcp: true, listening: true, owners: false });
 * console.log(listeners.some((s) => s.localPort === 65432));
 * ```
 */
export async function netstat(options: NetstatOptions = {}): Promise<NetstatEntry[]> {
  const procRoot = options.procRoot ?? "/proc";
  const onlyOne = options.tcp !== options.udp;
  const wantTcp = onlyOne ? Boolean(options.tcp) : true;
  const wantUdp = onlyOne ? Boolean(options.udp) : true;
  const tables: SocketProtocol[] = [
    ...(wantTcp ? ["tcp", "tcp6"] as const : []),
    ...(wantUdp ? ["udp", "udp6"] as const : []),
  ];
  const entries: NetstatEntry[] = [];
  let readable = 0;
  for (const table of tables) {
    const text = await readSystemFile(`${procRoot}/net/${table}`);
    if (text === undefined) continue; // tcp6/udp6 are absent on kernels without IPv6
    readable++;
    entries.push(...parseProcNetTable(text, table));
  }
  if (readable === 0) {
    throw new NotSupportedError(
      `netstat is not supported here: cannot read ${procRoot}/net/${tables[0]} (it needs Linux's /proc)`,
    );
  }
  const selected = options.listening ? entries.filter((e) => e.state === "LISTEN" || e.state === "UNCONN") : entries;
  if (options.owners ?? true) {
    const owners = await socketOwners(procRoot);
    for (const entry of selected) {
      const owner = owners.get(entry.inode);
      if (owner) Object.assign(entry, owner);
    }
  }
  return selected;
}
