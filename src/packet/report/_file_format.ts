/**
 * Names a capture file's format from its first bytes, as capinfos does in its "File
 * type" line.
 *
 * @module
 */
import * as F from "../_capture_formats.ts";

/** The format's name (`pcap`, `pcap (nanosecond timestamps)`, `pcapng`, `gzip-compressed`), or undefined. */
export function captureFileFormat(head: Uint8Array): string | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip-compressed";
  if (head.length < 4) return undefined;
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  switch (magic) {
    case F.PCAP_MAGIC_MICRO:
    case F.PCAP_MAGIC_MICRO_SWAPPED:
      return "pcap";
    case F.PCAP_MAGIC_NANO:
    case F.PCAP_MAGIC_NANO_SWAPPED:
      return "pcap (nanosecond timestamps)";
    case F.PCAPNG_SECTION_HEADER:
      return "pcapng";
  }
  return undefined;
}
