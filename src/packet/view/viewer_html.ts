/**
 * The viewer page's markup and style sheet: a header with the filter box, the packet list,
 * the detail pane (tree and hex dump) and a Statistics tab; colours for light and dark
 * mode from the system's preference. The script that brings it to life is
 * ./_viewer_page.ts, served beside it.
 *
 * @module
 */

const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d1f21; --muted: #5f6368; --line: #d8dadd; --head: #f1f3f4;
  --sel: #1a73e8; --sel-fg: #fff; --hl: #ffe08a; --hl-fg: #000; --bad: #c5221f; --stripe: #f8f9fa;
  --tcp: #e7f0fd; --udp: #e6f4ea; --dns: #fef7e0; --tls: #f3e8fd; --http: #e8f5e9; --arp: #fdeee8; --icmp: #fce8e6; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1b1d20; --fg: #e3e5e8; --muted: #9aa0a6; --line: #3a3d42; --head: #26292d; --sel: #4c8df6;
    --sel-fg: #fff; --hl: #806a1c; --hl-fg: #fff; --bad: #f28b82; --stripe: #202326;
    --tcp: #1e2a3a; --udp: #1c2e24; --dns: #33301c; --tls: #2c2238; --http: #1f3322; --arp: #3a2a22; --icmp: #3a2224; }
}
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; background: var(--bg); color: var(--fg);
  font: 13px/1.4 system-ui, sans-serif; }
header { display: flex; gap: 8px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--line);
  background: var(--head); flex-wrap: wrap; }
header h1 { font-size: 14px; margin: 0 8px 0 0; white-space: nowrap; }
#capture-name { color: var(--muted); font-weight: normal; }
#filter { flex: 1; min-width: 240px; font: 13px ui-monospace, monospace; padding: 4px 6px; color: var(--fg);
  background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
#filter.bad { border-color: var(--bad); outline-color: var(--bad); }
button, .open { font: inherit; padding: 3px 10px; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 4px; cursor: pointer; }
.open input { display: none; }
#status { color: var(--muted); white-space: nowrap; }
#status.error { color: var(--bad); }
#filter-error { margin: 0; padding: 4px 8px; color: var(--bad); font: 12px ui-monospace, monospace;
  white-space: pre; border-bottom: 1px solid var(--line); }
nav { display: flex; gap: 2px; padding: 0 8px; border-bottom: 1px solid var(--line); }
nav button { border: none; border-bottom: 2px solid transparent; border-radius: 0; background: none; }
nav button[aria-selected="true"] { border-bottom-color: var(--sel); }
main { flex: 1; min-height: 0; display: flex; flex-direction: column; }
#packets { flex: 1; min-height: 0; display: flex; flex-direction: column; }
#packets[hidden], #stats[hidden] { display: none; }
#list { flex: 1 1 55%; min-height: 80px; overflow: auto; position: relative; outline: none;
  font: 12px ui-monospace, monospace; }
#list:focus-visible { box-shadow: inset 0 0 0 2px var(--sel); }
.vt-head, .row { display: grid; grid-template-columns: 70px 190px minmax(110px, 1fr) minmax(110px, 1fr) 70px 60px 4fr;
  min-width: 900px; }
.vt-head { position: sticky; top: 0; z-index: 1; background: var(--head); border-bottom: 1px solid var(--line);
  font: 600 12px system-ui, sans-serif; height: 24px; align-items: center; }
.vt-head span, .row span { padding: 0 6px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.vt-body { position: relative; overflow: hidden; }
.vt-layer { position: absolute; left: 0; right: 0; top: 0; will-change: transform; }
.row { height: 22px; line-height: 22px; cursor: default; }
.row:nth-child(even) { background: var(--stripe); }
.row[data-proto="TCP"] { background: var(--tcp); } .row[data-proto="UDP"] { background: var(--udp); }
.row[data-proto="DNS"] { background: var(--dns); } .row[data-proto="TLS"] { background: var(--tls); }
.row[data-proto="HTTP"] { background: var(--http); } .row[data-proto="ARP"] { background: var(--arp); }
.row[data-proto^="ICMP"] { background: var(--icmp); }
.row.selected { background: var(--sel); color: var(--sel-fg); }
.c-no, .c-len { text-align: right; }
#detail { flex: 1 1 45%; min-height: 0; display: flex; border-top: 3px double var(--line); }
#detail.closed { display: none; }
#tree { flex: 1; overflow: auto; padding: 4px 0; font: 12px ui-monospace, monospace; }
#tree ul { list-style: none; margin: 0; padding-left: 16px; }
#tree > ul { padding-left: 6px; }
#tree .node { padding: 1px 4px; cursor: default; white-space: nowrap; border-radius: 3px; }
#tree > ul > li > .node { font-weight: 600; }
#tree .node.sel { background: var(--sel); color: var(--sel-fg); }
#hex { flex: 0 0 auto; overflow: auto; padding: 4px 10px; border-left: 1px solid var(--line);
  font: 12px/1.5 ui-monospace, monospace; }
.hex-line { display: flex; gap: 14px; white-space: pre; }
.hex-offset { color: var(--muted); }
.hex-bytes span { margin-right: 0.6ch; }
.hex-bytes span:nth-child(8) { margin-right: 1.6ch; }
.hl { background: var(--hl); color: var(--hl-fg); }
#stats { flex: 1; overflow: auto; padding: 12px; }
#drop { position: fixed; inset: 0; display: grid; place-items: center; font-size: 20px; color: var(--fg);
  background: color-mix(in srgb, var(--bg) 85%, transparent); border: 3px dashed var(--sel); }
#drop[hidden] { display: none; }
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page.
 * @param title The capture's name, shown in the header and the tab.
 * @param capture Where the page fetches the capture from (empty: wait for a file).
 */
export function viewerHtml(title: string, capture: string): string {
  const name = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} · anynet viewer</title>
<link rel="stylesheet" href="uplot.css">
<style>${STYLE}</style>
<script src="uplot.js"></script>
<script src="viewer.js" defer></script>
</head>
<body data-capture="${escapeHtml(capture)}" data-worker="worker.js">
<header>
<h1>anynet <span id="capture-name">${name}</span></h1>
<input id="filter" type="text" spellcheck="false" autocomplete="off" placeholder="Display filter, such as tcp.port == 443 (press / to edit)" aria-label="Display filter">
<button id="filter-apply" type="button">Apply</button>
<label class="open">Open…<input id="open-file" type="file" accept=".pcap,.pcapng,.cap,.gz"></label>
<span id="status" role="status"></span>
</header>
<pre id="filter-error" role="alert" hidden></pre>
<nav role="tablist">
<button type="button" role="tab" data-tab="packets" aria-selected="true">Packets</button>
<button type="button" role="tab" data-tab="stats" aria-selected="false">Statistics</button>
</nav>
<main>
<section id="packets">
<div id="list" tabindex="0" aria-label="Packets"><div class="vt-head"><span class="c-no">No.</span><span>Time</span><span>Source</span><span>Destination</span><span>Protocol</span><span class="c-len">Length</span><span>Info</span></div></div>
<div id="detail" class="closed"><div id="tree" aria-label="Packet detail"></div><div id="hex" aria-label="Packet bytes"></div></div>
</section>
<section id="stats" hidden></section>
</main>
<div id="drop" hidden>Drop a capture to open it</div>
</body>
</html>
`;
}
