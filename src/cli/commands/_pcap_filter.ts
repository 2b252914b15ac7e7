/**
 * Shared by `pcap decode` and `pcap stats`: compiles `--filter` before the capture is
 * opened, and turns a mistake into one line pointing at its column (exit 2).
 *
 * @module
 */
import { CommandError, type FlagSpec } from "../command.ts";
import type { PacketFilter } from "../../packet/packet_filter.ts";

/** `--filter` of every `pcap` command. */
export const FILTER_FLAG: FlagSpec = {
  name: "filter",
  type: "string",
  valueName: "EXPR",
  description: "Only packets matching this display filter (tshark's spelling; see docs/packets.md)",
};

/** The compiled `--filter`, or undefined without one. */
export async function compileFilterFlag(expression: string | undefined): Promise<PacketFilter | undefined> {
  if (expression === undefined) return undefined;
  // Loaded on use, so other commands do not pay for the filter compiler at startup.
  const { compileFilter, FilterError } = await import("../../packet/packet_filter.ts");
  try {
    return compileFilter(expression);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    throw new CommandError(`--filter: ${error.message}\n${error.pointer()}`, { exitCode: 2, cause: error });
  }
}
