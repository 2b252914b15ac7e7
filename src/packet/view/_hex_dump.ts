/// <reference lib="dom" />
/**
 * A packet's bytes as a hex dump (offset, sixteen bytes in hex, the same as ASCII), with
 * a range of them highlighted: one element per byte in each half, so that a field's
 * bytes light up in both.
 *
 * @module
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A drawn dump: its hex and ASCII cells, one per byte. */
export interface HexDump {
  hex: HTMLElement[];
  ascii: HTMLElement[];
}

/** Draws `bytes` into `root` (replacing what was there). */
export function drawHexDump(root: HTMLElement, bytes: Uint8Array): HexDump {
  const dump: HexDump = { hex: [], ascii: [] };
  const lines = document.createDocumentFragment();
  for (let line = 0; line < bytes.length; line += 16) {
    const row = document.createElement("div");
    row.className = "hex-line";
    const offset = document.createElement("span");
    offset.className = "hex-offset";
    offset.textContent = line.toString(16).padStart(4, "0");
    const hexes = document.createElement("span");
    hexes.className = "hex-bytes";
    const text = document.createElement("span");
    text.className = "hex-ascii";
    for (let i = line; i < Math.min(line + 16, bytes.length); i++) {
      const h = document.createElement("span");
      h.textContent = HEX[bytes[i]];
      hexes.append(h);
      const a = document.createElement("span");
      const c = bytes[i];
      a.textContent = c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
      text.append(a);
      dump.hex.push(h);
      dump.ascii.push(a);
    }
    row.append(offset, hexes, text);
    lines.append(row);
  }
  root.replaceChildren(lines);
  return dump;
}

/** Highlights bytes `[start, start + length)` (clamped to the dump), clearing any other; returns how many. */
export function highlightBytes(dump: HexDump, start: number, length: number): number {
  let lit = 0;
  for (let i = 0; i < dump.hex.length; i++) {
    const on = i >= start && i < start + length;
    dump.hex[i].classList.toggle("hl", on);
    dump.ascii[i].classList.toggle("hl", on);
    if (on) lit++;
  }
  return lit;
}
