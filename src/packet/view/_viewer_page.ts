/// <reference lib="dom" />
/**
 * The viewer page's script: starts the decoding worker on the served capture (or on a
 * file dropped or chosen), keeps the packet list in columns, draws it as a virtual table,
 * applies display filters, shows the selected packet's tree and bytes, and answers the
 * keyboard. The page's markup is ./viewer_html.ts.
 *
 * @module
 */
import { compileFilter, FilterError } from "../packet_filter.ts";
import { drawHexDump, type HexDump, highlightBytes } from "./_hex_dump.ts";
import type { FromWorker, ToWorker } from "./_messages.ts";
import type { DetailNode } from "./_packet_detail.ts";
import { PacketStore } from "./_packet_store.ts";
import { showStatistics } from "./_statistics.ts";
import { VirtualTable } from "./_virtual_table.ts";

const ROW_HEIGHT = 22;
const CELLS = ["no", "time", "src", "dst", "proto", "len", "info"] as const;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const body = document.body;
const status = $("status");
const filterInput = $<HTMLInputElement>("filter");
const filterError = $("filter-error");
const list = $("list");
const detailPane = $("detail");
const tree = $("tree");
const hex = $("hex");
const statsRoot = $("stats");

let store = new PacketStore();
let worker: Worker | undefined;
/** The filter's matches (packet indices), or undefined when no filter is in force. */
let matches: Uint32Array | undefined;
let matchCount = 0;
let generation = 0;
let selected = -1;
let selectedIndex = -1;
let dump: HexDump | undefined;
let statistics: unknown;
let done = false;
let bytesTotal = 0;
let bytesLoaded = 0;
/** Why the capture could not be read to its end (the packets before stay). */
let failure = "";

const table = new VirtualTable(list, ROW_HEIGHT, (row, position) => {
  if (row.childElementCount === 0) {
    for (const name of CELLS) {
      const cell = document.createElement("span");
      cell.className = `c-${name}`;
      row.append(cell);
    }
  }
  const index = indexAt(position);
  const p = store.row(index);
  row.dataset.index = String(index);
  row.dataset.proto = p.protocol;
  row.classList.toggle("selected", position === selected);
  const cells = row.children;
  cells[0].textContent = String(p.number);
  cells[1].textContent = p.time;
  cells[2].textContent = p.source;
  cells[3].textContent = p.destination;
  cells[4].textContent = p.protocol;
  cells[5].textContent = String(p.length);
  cells[6].textContent = p.info;
});

function indexAt(position: number): number {
  return matches ? matches[position] : position;
}

function shownCount(): number {
  return matches ? matchCount : store.count;
}

function send(message: ToWorker): void {
  worker?.postMessage(message);
}

function updateStatus(): void {
  const shown = shownCount();
  const what = matches
    ? `${shown.toLocaleString()} of ${store.count.toLocaleString()} packets shown`
    : `${store.count.toLocaleString()} packets`;
  const progress = done
    ? ""
    : bytesTotal > 0
    ? ` · loading ${Math.floor((100 * bytesLoaded) / bytesTotal)}%`
    : ` · loading ${(bytesLoaded / 1048576).toFixed(1)} MB`;
  status.textContent = what + progress + (failure ? ` · ${failure}` : "");
  status.classList.toggle("error", failure !== "");
  body.dataset.packets = String(store.count);
  body.dataset.shown = String(shown);
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case "rows":
      store.append(message);
      if (!matches) table.setCount(store.count);
      if (body.dataset.firstRowsMs === undefined) {
        requestAnimationFrame(() => (body.dataset.firstRowsMs = String(Math.round(performance.now()))));
      }
      updateStatus();
      break;
    case "progress":
      bytesLoaded = message.bytes;
      bytesTotal = message.total;
      break;
    case "done":
      done = true;
      statistics = message.statistics;
      body.dataset.loadedMs = String(Math.round(performance.now()));
      body.dataset.decodeMs = String(Math.round(message.milliseconds));
      body.dataset.listBytes = String(store.bytesUsed());
      body.dataset.state = failure ? "failed" : "done";
      updateStatus();
      if (!statsRoot.hidden) showStatistics(statsRoot, statistics);
      break;
    case "failed":
      body.dataset.state = "failed";
      failure = message.message;
      updateStatus();
      break;
    case "matches":
      if (message.generation !== generation || !matches) return;
      if (matchCount + message.indices.length > matches.length) {
        const next = new Uint32Array(Math.max(matches.length * 2, matchCount + message.indices.length));
        next.set(matches.subarray(0, matchCount));
        matches = next;
      }
      matches.set(message.indices, matchCount);
      matchCount += message.indices.length;
      table.setCount(matchCount);
      if (message.done) body.dataset.filtered = String(generation);
      updateStatus();
      break;
    case "filter-error":
      if (message.generation !== generation) return;
      showFilterError(message.message, message.column);
      break;
    case "detail":
      if (message.index === selectedIndex) {
        showDetail(message.tree, message.bytes);
        // The frame whose detail is shown: the worker answers after the selection moved.
        body.dataset.detail = String(message.index + 1);
      }
      break;
  }
}

function startWorker(first: ToWorker): void {
  worker?.terminate();
  store = new PacketStore();
  matches = undefined;
  matchCount = 0;
  selected = selectedIndex = -1;
  done = false;
  bytesLoaded = bytesTotal = 0;
  statistics = undefined;
  failure = "";
  delete body.dataset.firstRowsMs;
  body.dataset.state = "loading";
  tree.replaceChildren();
  hex.replaceChildren();
  table.setCount(0);
  worker = new Worker(body.dataset.worker ?? "worker.js");
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => onMessage({ type: "failed", message: event.message || "the decoder stopped" });
  worker.postMessage(first);
  if (filterInput.value.trim() !== "") applyFilter();
}

function showFilterError(message: string, column: number): void {
  filterInput.classList.add("bad");
  filterInput.setAttribute("aria-invalid", "true");
  filterError.hidden = false;
  filterError.textContent = `${message}\n${filterInput.value}\n${" ".repeat(Math.max(0, column - 1))}^`;
}

function applyFilter(): void {
  const expression = filterInput.value;
  // Compiled here first, so that a mistake leaves the list as it was and shows at once;
  // the worker compiles it again to run it.
  try {
    if (expression.trim() !== "") compileFilter(expression);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    showFilterError(error.message, error.column);
    return;
  }
  generation++;
  filterInput.classList.remove("bad");
  filterInput.removeAttribute("aria-invalid");
  filterError.hidden = true;
  delete body.dataset.filtered;
  selected = -1;
  if (expression.trim() === "") {
    matches = undefined;
    body.dataset.filtered = String(generation);
  } else {
    matches = new Uint32Array(1024);
    matchCount = 0;
  }
  send({ type: "filter", expression, generation });
  table.setCount(shownCount());
  updateStatus();
}

function select(position: number): void {
  const count = shownCount();
  if (count === 0) return;
  selected = Math.max(0, Math.min(count - 1, position));
  selectedIndex = indexAt(selected);
  body.dataset.selected = String(selectedIndex + 1);
  table.reveal(selected);
  table.refresh();
  send({ type: "detail", index: selectedIndex });
}

function showDetail(nodes: DetailNode[], bytes: Uint8Array): void {
  detailPane.classList.remove("closed");
  dump = drawHexDump(hex, bytes);
  const make = (node: DetailNode): HTMLLIElement => {
    const item = document.createElement("li");
    const line = document.createElement("div");
    line.className = "node";
    line.textContent = node.label;
    line.tabIndex = -1;
    // Clamped: a header the capture cut short has fewer bytes than its layout.
    const start = Math.min(node.start, bytes.length);
    line.dataset.start = String(start);
    line.dataset.length = String(Math.max(0, Math.min(node.length, bytes.length - start)));
    item.append(line);
    if (node.children?.length) {
      const children = document.createElement("ul");
      for (const child of node.children) children.append(make(child));
      item.append(children);
    }
    return item;
  };
  const root = document.createElement("ul");
  for (const node of nodes) root.append(make(node));
  tree.replaceChildren(root);
}

function selectNode(line: HTMLElement): void {
  for (const other of tree.querySelectorAll(".node.sel")) other.classList.remove("sel");
  line.classList.add("sel");
  if (dump) highlightBytes(dump, Number(line.dataset.start), Number(line.dataset.length));
}

tree.addEventListener("click", (event) => {
  const line = (event.target as HTMLElement).closest<HTMLElement>(".node");
  if (line) selectNode(line);
});

list.addEventListener("click", (event) => {
  const row = (event.target as HTMLElement).closest<HTMLElement>(".row");
  if (!row) return;
  const index = Number(row.dataset.index);
  // The row's position in the list: its index, or where the filter put it.
  let position = index;
  if (matches) {
    let lo = 0, hi = matchCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (matches[mid] < index) lo = mid + 1;
      else if (matches[mid] > index) hi = mid - 1;
      else {
        position = mid;
        break;
      }
    }
  }
  list.focus();
  select(position);
});

list.addEventListener("keydown", (event) => {
  const page = table.pageRows();
  const moves: Record<string, number> = {
    ArrowDown: selected + 1,
    ArrowUp: selected - 1,
    PageDown: selected + page,
    PageUp: selected - page,
    Home: 0,
    End: shownCount() - 1,
  };
  if (event.key in moves) {
    event.preventDefault();
    select(selected < 0 && event.key !== "End" ? 0 : moves[event.key]);
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (selected < 0) select(0);
    else detailPane.classList.toggle("closed");
  }
});

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement;
  if (event.key === "/" && !typing) {
    event.preventDefault();
    filterInput.focus();
    filterInput.select();
  }
});

filterInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter") applyFilter();
  else if (event.key === "Escape") list.focus();
});
$("filter-apply").addEventListener("click", applyFilter);

for (const tab of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      $(other.dataset.tab!).hidden = !on;
    }
    if (tab.dataset.tab === "stats") showStatistics(statsRoot, statistics);
  });
}

const chooser = $<HTMLInputElement>("open-file");
chooser.addEventListener("change", () => {
  const file = chooser.files?.[0];
  if (file) openFile(file);
});

function openFile(file: File): void {
  $("capture-name").textContent = file.name;
  startWorker({ type: "open-file", file });
}

// A capture dropped anywhere on the page opens in place of the current one.
const drop = $("drop");
document.addEventListener("dragover", (event) => {
  if (!event.dataTransfer?.types.includes("Files")) return;
  event.preventDefault();
  drop.hidden = false;
});
document.addEventListener("dragleave", (event) => {
  if (event.relatedTarget === null) drop.hidden = true;
});
document.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.hidden = true;
  const file = event.dataTransfer?.files[0];
  if (file) openFile(file);
});

updateStatus();
if (body.dataset.capture) startWorker({ type: "open-url", url: body.dataset.capture });
else body.dataset.state = "empty";
