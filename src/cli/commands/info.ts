import type { CommandSpec } from "../command.ts";
import { detectRuntime } from "../../runtime/detect.ts";
import { platform } from "../../runtime/process.ts";
import { VERSION } from "../../version.ts";

/** `anynet info`: which anynet, on which runtime and platform. */
export const infoCommand: CommandSpec = {
  name: "info",
  summary: "Show the anynet version and the runtime it runs on",
  flags: [{ name: "json", type: "boolean", description: "Print one JSON object" }],
  examples: ["info", "info --json"],
  async run(input, io) {
    const runtime = detectRuntime();
    const { os, arch } = platform;
    const info = { anynet: VERSION, runtime: runtime.name, runtimeVersion: runtime.version, platform: os, arch };
    if (input.flags.json) {
      await io.out(JSON.stringify(info) + "\n");
    } else {
      await io.out(`anynet ${VERSION} on ${runtime.name} ${runtime.version} (${os} ${arch})\n`);
    }
    return 0;
  },
};
