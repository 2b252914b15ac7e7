/**
 * The HTML report in a real browser (the machine's Chromium): the page that the CLI on
 * the runtime under test writes opens with the network off, loads nothing, and shows the
 * capture's packet count, its conversations and a drawn I/O graph. With
 * ANYNET_SCREENSHOTS=1 it also writes docs/images/report.png.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildTcpConversation, type ConnRecord, conversations, writePcap } from "anynet/packet";
import { type Browser, findChromium, launchBrowser } from "../_helpers/browser.ts";
import { runCli } from "../_helpers/cli.ts";
import { announceSkip, root } from "../_helpers/env.ts";
import { dnsQuery, ethernet, ipv4, tcp, tlsClientHello, udp } from "../../scripts/_packet_writer.ts";
import { EtherType, IpProtocol } from "../../scripts/_packet_numbers.ts";

const chromium = findChromium();
const dir = mkdtempSync(join(tmpdir(), "anynet-report-browser-"));
const T0 = 1_700_000_000_000;
const MAC1 = "02:00:00:00:00:01", MAC2 = "02:00:00:00:00:02";

/** A minute of traffic from one host: web connections, DNS lookups and TLS ClientHellos. */
function capture(): Uint8Array {
  const records: { data: Uint8Array; time: number }[] = [];
  const client = "192.168.1.20";
  const sites = ["example.com", "example.org", "api.example.net", "cdn.example.com"];
  for (let i = 0; i < 16; i++) {
    const start = T0 + i * 3500 + (i % 5) * 300;
    const server = `203.0.113.${10 + (i % 6)}`;
    const name = sites[i % sites.length];
    const ip = { v: 4 as const, src: client, dst: "192.168.1.1" };
    const query = dnsQuery(i, name, 1);
    records.push({
      data: ethernet(MAC2, MAC1, EtherType.IPV4, ipv4({ ...ip, proto: IpProtocol.UDP }, udp(53000 + i, 53, query, ip))),
      time: start,
    });
    const hello = { v: 4 as const, src: client, dst: server };
    records.push({
      data: ethernet(
        MAC2,
        MAC1,
        EtherType.IPV4,
        ipv4({ ...hello, proto: IpProtocol.TCP }, tcp({ sport: 41000 + i, dport: 443 }, tlsClientHello(name), hello)),
      ),
      time: start + 20,
    });
    const frames = buildTcpConversation({
      client: { hostname: client, port: 42000 + i },
      server: { hostname: server, port: i % 3 === 0 ? 80 : 443 },
      messages: [
        { from: "client", data: new Uint8Array(300 + i * 10) },
        { from: "server", data: new Uint8Array(1000 * (1 + (i % 7)) * 8) },
      ],
      mss: 1448,
    });
    frames.forEach((data, k) => records.push({ data, time: start + 30 + k * 15 }));
  }
  records.sort((a, b) => a.time - b.time);
  return writePcap(records);
}

let browser: Browser | undefined;
const capturePath = join(dir, "web.pcap");
const reportPath = join(dir, "web.html");

test.before(async () => {
  if (!chromium) return;
  writeFileSync(capturePath, capture());
  const run = await runCli(["pcap", "report", capturePath, "-o", reportPath]);
  if (run.code !== 0) throw new Error(`pcap report failed: ${run.stderr}`);
  browser = await launchBrowser(chromium);
});

test.after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the report opens offline, loads nothing, and shows packets, conversations and the I/O graph", async () => {
  if (!browser) return announceSkip("no Chromium (Debian's chromium package): the report was not opened");
  const context = await browser.newContext({ offline: true, viewport: { width: 1200, height: 900 } });
  try {
    const page = await context.newPage();
    const url = pathToFileURL(reportPath).href;
    const requests: string[] = [];
    const problems: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("console", (message) => problems.push(message.text()));
    await page.goto(url);
    await page.waitForSelector("#summary-io canvas", { timeout: 20_000 });

    const conns: ConnRecord[] = [];
    for await (const c of conversations(capturePath)) conns.push(c);
    const facts = await page.$$eval("table.facts tr", (rows) => rows.map((r) => r.textContent));
    assert.ok(
      facts.includes(`Packets${(conns.reduce((n, c) => n + c.orig_pkts + c.resp_pkts, 0)).toLocaleString("en-US")}`),
      facts.join("\n"),
    );
    const rows = await page.$$eval("#summary-conversations tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    assert.is(rows.length, conns.length);
    const largest = conns.sort((a, b) => b.orig_ip_bytes + b.resp_ip_bytes - a.orig_ip_bytes - a.resp_ip_bytes)[0];
    assert.ok(rows[0].startsWith(`${largest["id.orig_h"]}:${largest["id.orig_p"]}`), rows[0]);
    const tls = await page.$$eval("#summary-tls tbody tr", (trs) => trs.map((tr) => tr.textContent));
    assert.equal(tls, ["api.example.net4", "cdn.example.com4", "example.com4", "example.org4"]);

    // Drawn: a canvas of real size with something on it.
    const canvas = await page.$eval("#summary-io canvas", (c) => {
      const ctx = (c as HTMLCanvasElement).getContext("2d")!;
      const { data } = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height, painted };
    });
    assert.ok(canvas.width > 300 && canvas.height > 100 && canvas.painted > 500, JSON.stringify(canvas));

    // A click on a heading sorts: the fewest packets first after two clicks.
    await page.click("#summary-conversations th:nth-child(6)");
    await page.click("#summary-conversations th:nth-child(6)");
    const packets = await page.$$eval(
      "#summary-conversations tbody td:nth-child(6)",
      (tds) => tds.map((td) => Number(td.textContent!.replace(/,/g, ""))),
    );
    assert.equal(packets, [...packets].sort((a, b) => a - b));

    assert.equal(requests, [url], "the page asked for nothing but itself");
    assert.equal(problems, []);
    if (process.env.ANYNET_SCREENSHOTS === "1") {
      await page.click("#summary-conversations th:nth-child(7)");
      await page.setViewportSize({ width: 1200, height: 1500 });
      await page.evaluate(() => scrollTo(0, 0));
      mkdirSync(join(root, "docs", "images"), { recursive: true });
      await page.screenshot({ path: join(root, "docs", "images", "report.png"), fullPage: false });
    }
  } finally {
    await context.close();
  }
});

test.run();
