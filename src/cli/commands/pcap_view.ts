/**
 * `anynet pcap view FILE`: the capture viewer, a page served on the loopback address that
 * decodes the capture in the browser with the same WebAssembly decoder.
 *
 * @module
 */
import { CommandError, type CommandSpec } from "../command.ts";
import { listenFlags, untilAborted } from "./_http_listen.ts";
import { listenFailure } from "./_net_messages.ts";
import { serve } from "../../http/serve.ts";
import { statEntry } from "../../runtime/static_files.ts";
import { fileErrorReason } from "../../runtime/files.ts";

/** `anynet pcap view`. */
export const pcapViewCommand: CommandSpec = {
  name: "pcap view",
  summary: "Look at a capture in the browser: packet list, display filter, detail tree and bytes",
  description: "Serves a page on HOST:PORT (127.0.0.1 by default) that decodes FILE in the browser with the same " +
    "WebAssembly decoder as `pcap decode`, in a worker, as it streams in: the packet list (number, time, source, " +
    "destination, protocol, length, info), the display filter of --filter, the selected packet's layers and " +
    "fields with its bytes in hex and ASCII. Nothing leaves the machine. A capture dropped onto the page (or " +
    "chosen with Open…) opens too. Keys: arrows, Page Up/Down, Home, End move; Enter shows or hides the " +
    "detail; / goes to the filter. Prints the URL (--open also starts the system's browser) and runs until " +
    "Ctrl-C. On Deno: --allow-net --allow-read (and --allow-run for --open).",
  positionals: [{ name: "FILE", description: "The pcap or pcapng file (gzip-compressed too)" }],
  flags: [
    ...listenFlags(0),
    { name: "open", type: "boolean", description: "Open the page in the system's browser" },
  ],
  examples: ["pcap view capture.pcap", "pcap view capture.pcapng --port 8080 --open"],
  async run(input, io) {
    const path = input.positionals[0]!;
    let entry;
    try {
      entry = await statEntry(path);
    } catch (error) {
      throw new CommandError(`cannot read capture '${path}': ${fileErrorReason(error)}`, { exitCode: 2 });
    }
    if (!entry) throw new CommandError(`cannot read capture '${path}': no such file`, { exitCode: 2 });
    if (!entry.isFile) throw new CommandError(`cannot read capture '${path}': not a regular file`, { exitCode: 2 });
    const { viewerHandler } = await import("../../packet/view/view_server.ts");
    const hostname = input.flags.host as string;
    const port = input.flags.port as number;
    const name = path.split(/[\\/]/).pop() || path;
    let server;
    try {
      server = await serve(viewerHandler({ path: entry.realPath, size: entry.size, name }, hostname), {
        hostname,
        port,
        onError: (error) => {
          void io.err(`anynet pcap view: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
          return new Response("Internal Server Error\n", { status: 500 });
        },
      });
    } catch (error) {
      throw listenFailure("pcap view", hostname, port, error);
    }
    const url = `${server.url.replace(/\/?$/, "/")}`;
    await io.out(`listening on ${url}\n`);
    if (input.flags.open === true) {
      const { openUrl } = await import("../../runtime/open_url.ts");
      const problem = await openUrl(url);
      await io.err(
        problem === undefined
          ? `opened ${url} in the browser\n`
          : `cannot open a browser (${problem}): open ${url} yourself\n`,
      );
    }
    await untilAborted(io.signal);
    await server.close();
    return 0;
  },
};
