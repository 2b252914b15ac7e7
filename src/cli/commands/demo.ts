import type { CommandSpec } from "../command.ts";
import { DEMO_STEPS, type DemoStep, runDemo } from "../../tools/demo.ts";
import { detectRuntime } from "../../runtime/detect.ts";
import { VERSION } from "../../version.ts";

function stepLines(step: DemoStep): string {
  const label = `${String(step.index).padStart(String(step.total).length)}/${step.total}`;
  const head = `${label} ${step.ok ? "ok  " : "FAIL"} ${step.title}: ${step.summary}\n`;
  const indent = " ".repeat(label.length + 6);
  return head + step.details.map((line) => `${indent}${line}\n`).join("");
}

/** `anynet demo`: the tour of the toolkit. */
export const demoCommand: CommandSpec = {
  name: "demo",
  summary: "Tour the toolkit: TCP, UDP and TLS echo, HTTP with retries, a capture decoded",
  description: "Runs six steps on 127.0.0.1, offline, and prints what each did and got: a TCP echo server " +
    "and 'Hello, Network World!' sent through it; the same over UDP; the same over TLS with a throwaway " +
    "certificate made for the run; the local REST API and GET /posts/1 with the HTTP client (time limit " +
    "per attempt, retries; the first answer is a staged 503 so that a retry shows); a pcap of the TCP and " +
    "UDP steps' own traffic (reconstructed: the runtimes cannot capture packets) decoded packet by packet; " +
    "and its statistics. Each step has a time limit and closes what it started. Exit code 0 when every " +
    "step worked, 1 otherwise.",
  flags: [
    {
      name: "step-timeout",
      type: "number",
      description: "Time limit of each step",
      default: 5,
      min: 0.001,
      max: 600,
      valueName: "SECONDS",
    },
  ],
  examples: ["demo", "demo --step-timeout 10"],
  async run(input, io) {
    const runtime = detectRuntime();
    await io.out(
      `anynet ${VERSION} demo on ${runtime.name} ${runtime.version}: ${DEMO_STEPS.length} steps on 127.0.0.1, nothing leaves this machine\n`,
    );
    let printing = Promise.resolve();
    const result = await runDemo({
      stepTimeout: (input.flags["step-timeout"] as number) * 1000,
      signal: io.signal,
      onStep: (step) => void (printing = printing.then(() => io.out(stepLines(step)))),
    });
    await printing;
    await io.out(`demo: ${result.passed} of ${result.steps.length} steps worked\n`);
    return result.ok ? 0 : 1;
  },
};
