/**
 * Every command of the `anynet` CLI, in the order `anynet --help` lists them.
 * A new command is a file in this folder and one line here.
 *
 * @module
 */
import type { CommandSpec } from "../command.ts";
import { demoCommand } from "./demo.ts";
import { echoCommand } from "./echo.ts";
import { echoServerCommand } from "./echo_server.ts";
import { infoCommand } from "./info.ts";
import { deleteCommand, getCommand, patchCommand, postCommand, putCommand } from "./http_request.ts";
import { netstatCommand } from "./netstat.ts";
import { pcapDecodeCommand } from "./pcap_decode.ts";
import { pcapStatsCommand } from "./pcap_stats.ts";
import { serveApiCommand } from "./serve_api.ts";

/** All commands. */
export const commands: readonly CommandSpec[] = [
  echoServerCommand,
  echoCommand,
  getCommand,
  postCommand,
  putCommand,
  patchCommand,
  deleteCommand,
  serveApiCommand,
  pcapDecodeCommand,
  pcapStatsCommand,
  netstatCommand,
  demoCommand,
  infoCommand,
];
