/**
 * The error of a capture file that is damaged at the file level.
 *
 * @module
 */

/**
 * A capture file is damaged at the file level (not a pcap or pcapng file, a bad block
 * length, a record cut off at the end). Every packet before the damage has been
 * delivered when this is thrown.
 */
export class CaptureError extends Error {
  /** Byte offset in the file where the damage is. */
  readonly offset: number;
  /** Packets delivered before the damage. */
  readonly packets: number;
  /**
   * @param message What is wrong.
   * @param offset Byte offset in the file.
   * @param packets Packets delivered before it.
   */
  constructor(message: string, offset: number, packets: number) {
    super(`${message} at byte offset ${offset}`);
    this.name = "CaptureError";
    this.offset = offset;
    this.packets = packets;
  }
}
