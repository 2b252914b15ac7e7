/**
 * `anynet serve-static DIR`: the files under a directory over HTTP, with validators,
 * conditional requests, ranges and compression (everything `serveStatic()` does).
 *
 * @module
 */
import { CommandError, type CommandSpec } from "../command.ts";
import { listenFlags, untilAborted } from "./_http_listen.ts";
import { listenFailure } from "./_net_messages.ts";
import { serve } from "../../http/serve.ts";
import { serveStatic } from "../../http/serve_static.ts";
import { statEntry } from "../../runtime/static_files.ts";
import { fileErrorReason } from "../../runtime/files.ts";

/** `anynet serve-static`: a static file server. */
export const serveStaticCommand: CommandSpec = {
  name: "serve-static",
  summary: "Serve the files under a directory over HTTP (ETag, 304, ranges, compression)",
  description: "Answers GET and HEAD with the files under DIR: ETag and Last-Modified on every file, 304 to " +
    "If-None-Match and If-Modified-Since, 412 to If-Match and If-Unmodified-Since that fail, byte ranges " +
    "(206, several as multipart/byteranges, 416 past the end, If-Range), FILE.br or FILE.gz when there and " +
    "accepted, otherwise Brotli or gzip on the fly for text of 1 KiB or more. Files whose names carry a hash " +
    "(app.3f2a9c1b.js) are sent with 'Cache-Control: public, max-age=31536000, immutable', the rest with " +
    "--cache-control. A directory answers with its index.html (unless --no-index); there are no listings. " +
    "Paths that would leave DIR (.., encoded slashes, NUL, links pointing outside) and dotfiles get 404; " +
    "other methods 405. Runs until Ctrl-C.",
  positionals: [{ name: "DIR", description: "The directory to serve" }],
  flags: [
    ...listenFlags(8080),
    {
      name: "cache-control",
      type: "string",
      description: "Cache-Control of files without a hash in their name",
      default: "no-cache",
      valueName: "VALUE",
    },
    { name: "no-index", type: "boolean", description: "Do not answer a directory with its index.html" },
    { name: "dotfiles", type: "boolean", description: "Serve files and directories whose names start with a dot" },
    { name: "no-compress", type: "boolean", description: "Do not compress on the fly (precompressed files still go)" },
  ],
  examples: [
    "serve-static ./public",
    "serve-static dist --port 0 --cache-control 'public, max-age=60'",
  ],
  async run(input, io) {
    const dir = input.positionals[0]!;
    let entry;
    try {
      entry = await statEntry(dir);
    } catch (error) {
      throw new CommandError(`cannot read '${dir}': ${fileErrorReason(error)}`, { exitCode: 2 });
    }
    if (!entry) throw new CommandError(`'${dir}' does not exist`, { exitCode: 2 });
    if (!entry.isDirectory) throw new CommandError(`'${dir}' is not a directory`, { exitCode: 2 });
    const cacheControl = input.flags["cache-control"] as string;
    if (/[\r\n\0]/.test(cacheControl)) {
      throw new CommandError("--cache-control must be one line", { exitCode: 2 });
    }
    const hostname = input.flags.host as string;
    const port = input.flags.port as number;
    let server;
    try {
      server = await serve(
        serveStatic(entry.realPath, {
          cacheControl,
          index: input.flags["no-index"] ? false : "index.html",
          dotfiles: input.flags.dotfiles === true,
          compress: !input.flags["no-compress"],
        }),
        {
          hostname,
          port,
          onError: (error) => {
            void io.err(
              `anynet serve-static: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
            );
            return new Response("Internal Server Error\n", { status: 500 });
          },
        },
      );
    } catch (error) {
      throw listenFailure("serve-static", hostname, port, error);
    }
    await io.out(`listening on ${server.url}\n`);
    await untilAborted(io.signal);
    await server.close();
    return 0;
  },
};
