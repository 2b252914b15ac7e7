/**
 * Packet analysis: decoding of frames and capture files (pcap, pcapng), in WebAssembly
 * with a TypeScript reference implementation beside it.
 *
 * @example Decode a capture
 * ```ts
 * import { openCapture } from "anynet/packet";
 * for await (const batch of openCapture("capture.pcapng")) {
 *   for (const packet of batch) console.log(packet.n, packet.ip?.src, packet.tcp?.dport);
 * }
 * ```
 *
 * @module
 */
export { type ChecksumOptions, type Engine, internetChecksum } from "./checksum.ts";
export { type CaptureSource, openCapture, type OpenCaptureOptions } from "./open_capture.ts";
export { PacketBatch } from "./batch.ts";
export { compileFilter, FilterError, PacketFilter } from "./packet_filter.ts";
export { CaptureError } from "./capture_error.ts";
export { decodeFrame, type DecodeFrameOptions } from "./decode_frame.ts";
export {
  type CaptureStats,
  captureStats,
  type CaptureStatsOptions,
  type FlowStats,
  type FlowTableStats,
  type ProtocolCounts,
} from "./capture_stats.ts";
export {
  type ConnRecord,
  type Conversations,
  conversations,
  type ConversationsOptions,
  type ConversationsSummary,
} from "./conversations.ts";
export { communityId, type CommunityIdFlow, type CommunityIdOptions } from "./community_id.ts";
export {
  type CaptureSummary,
  type EndpointRow,
  type HierarchyNode,
  type IoGraph,
  type NameCounts,
  SummaryBuilder,
  type SummaryOptions,
} from "./report/capture_summary.ts";
export { captureReport, type CaptureReportOptions, captureSummary } from "./report/capture_report.ts";
export { parseWebSocketFrameHeader, type WebSocketFrameHeader } from "./websocket.ts";
export type {
  ArpFields,
  DnsFields,
  EthernetFields,
  HttpFields,
  IcmpFields,
  IcmpQuote,
  Ipv4Fields,
  Ipv6Fields,
  PacketError,
  PacketRecord,
  TcpFields,
  TlsFields,
  UdpFields,
  VlanTag,
} from "./packet_record.ts";
export { type PcapRecord, PcapWriter, writePcap, type WritePcapOptions } from "./pcap_writer.ts";
export {
  buildTcpConversation,
  buildTcpFrame,
  buildUdpFrame,
  type FrameEndpoint,
  type FrameOptions,
  TCP_FLAGS,
  type TcpConversationOptions,
  type TcpFrameOptions,
  type TcpMessage,
  type UdpFrameOptions,
} from "./build_frame.ts";
