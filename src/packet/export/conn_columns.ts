/**
 * The conversations table of `pcap conv --format`: one row per connection, the fields of
 * Zeek's conn.log as `pcap conv --json` gives them, with `_` for Zeek's dots (`id.orig_h`
 * becomes `id_orig_h`: engines such as Spark read a dot as a nested field) and `ts` as a
 * timestamp.
 *
 * To add a column: one entry in CONN_COLUMNS.
 *
 * @module
 */
import type { ConnRecord } from "../_conn_tracker.ts";
import type { ColumnType, RecordColumn } from "./table.ts";

function column(name: string, type: ColumnType, get: RecordColumn<ConnRecord>["get"]): RecordColumn<ConnRecord> {
  return { name, type, get };
}

/** The columns of the conversations table, in conn.log's order. */
export const CONN_COLUMNS: readonly RecordColumn<ConnRecord>[] = [
  // conn.log's start is seconds with microseconds: kept to the microsecond, as nanoseconds.
  column("ts", "timestamp_ns", (c) => BigInt(Math.round(c.ts * 1e6)) * 1000n),
  column("id_orig_h", "string", (c) => c["id.orig_h"]),
  column("id_orig_p", "int32", (c) => c["id.orig_p"]),
  column("id_resp_h", "string", (c) => c["id.resp_h"]),
  column("id_resp_p", "int32", (c) => c["id.resp_p"]),
  column("proto", "string", (c) => c.proto),
  column("service", "string", (c) => c.service),
  column("duration", "double", (c) => c.duration),
  column("orig_bytes", "int64", (c) => BigInt(c.orig_bytes)),
  column("resp_bytes", "int64", (c) => BigInt(c.resp_bytes)),
  column("conn_state", "string", (c) => c.conn_state),
  column("history", "string", (c) => c.history),
  column("orig_pkts", "int64", (c) => BigInt(c.orig_pkts)),
  column("orig_ip_bytes", "int64", (c) => BigInt(c.orig_ip_bytes)),
  column("resp_pkts", "int64", (c) => BigInt(c.resp_pkts)),
  column("resp_ip_bytes", "int64", (c) => BigInt(c.resp_ip_bytes)),
  column("community_id", "string", (c) => c.community_id),
];
