/**
 * Every command of the `anynet` CLI, in the order `anynet --help` lists them.
 * A new command is a file in this folder and one line here.
 *
 * @module
 */
import type { CommandSpec } from "../command.ts";
import { infoCommand } from "./info.ts";
import { pcapDecodeCommand } from "./pcap_decode.ts";
import { pcapStatsCommand } from "./pcap_stats.ts";

/** All commands. */
export const commands: readonly CommandSpec[] = [
  infoCommand,
  pcapDecodeCommand,
  pcapStatsCommand,
];
