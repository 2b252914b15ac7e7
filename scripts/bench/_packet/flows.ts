/**
 * The flow-table bound under a flood of distinct flows (`npm run bench -- packet --flows N`):
 * writes a capture of N one-packet conversations beside ten large ones
 * (`writeFlowCapture`), then runs `pcap stats --json` once per engine and reports the exit
 * code, the peak RSS of the whole process (its VmHWM, through /usr/bin/time) and the
 * wall time, with what the statistics say about the flows. `--cli PATH` measures another
 * build of the CLI (a copy of an older dist/, for a before/after comparison); extra
 * arguments after `--` go to `pcap stats` (such as `--max-flows`).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchNode } from "../_node.ts";
import { FLOW_CAPTURE_ELEPHANTS, writeFlowCapture } from "./generate.ts";

/** One `pcap stats` run. */
interface FlowRun {
  engine: string;
  code: number | null;
  peakMiB: number;
  seconds: number;
  summary: string;
}

function statsRun(cli: string, file: string, engine: string, extra: string[]): FlowRun {
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "%M %e", benchNode.command, cli, "pcap", "stats", "--json", "--engine", engine, ...extra, file],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const timeLine = r.stderr.trim().split("\n").pop() ?? "";
  const [kib, seconds] = timeLine.split(" ").map(Number);
  let summary: string;
  if (r.status === 0) {
    const s = JSON.parse(r.stdout);
    const top = s.topFlows.map((f: { bytes: number }) => f.bytes);
    summary = `packets ${s.packets}, flows ${s.flows}` +
      (s.flowsExact === undefined ? "" : s.flowsExact ? " (exact)" : " (estimate)") +
      (s.flowTable ? `, evicted ${s.flowTable.evictedFlows} flows in ${s.flowTable.evictions} evictions` : "") +
      (s.topFlowsExact === undefined ? "" : `, top flows ${s.topFlowsExact ? "exact" : "not proven exact"}`) +
      `, top bytes ${top[0]}…${top.at(-1)}`;
  } else {
    // Everything but the /usr/bin/time lines: the command's own error.
    summary = r.stderr.split("\n").filter((l) => l && !l.startsWith("Command exited") && l !== timeLine)
      .slice(0, 2).join(" | ");
  }
  return { engine, code: r.status, peakMiB: kib / 1024, seconds, summary };
}

/** Writes the capture, runs both engines once each, prints one line per run. */
export function benchFlowBound(flows: number, cli: string, extra: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), "anynet-bench-flows-"));
  try {
    const file = join(dir, "flows.pcap");
    const start = performance.now();
    const size = writeFlowCapture(file, flows);
    console.log(
      `flow capture: ${(flows + FLOW_CAPTURE_ELEPHANTS).toLocaleString("en")} distinct flows, ${
        (size / 1048576).toFixed(0)
      } MiB (written in ${((performance.now() - start) / 1000).toFixed(1)} s)`,
    );
    console.log(`cli: node ${benchNode.version} ${cli} pcap stats --json ${extra.join(" ")}`.trimEnd());
    for (const engine of ["wasm", "ts"]) {
      const run = statsRun(cli, file, engine, extra);
      console.log(
        `  ${run.engine.padEnd(4)} exit ${run.code}, peak RSS ${run.peakMiB.toFixed(0)} MiB, ${
          run.seconds.toFixed(1)
        } s: ${run.summary}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
