/**
 * A field's value as text, as `tshark -T fields -e NAME` prints it: integers in decimal
 * (or hexadecimal for the fields tshark shows that way, such as `eth.type` 0x0800),
 * booleans as 1 or 0, addresses in their usual notation, times as seconds with nine
 * decimals, and every occurrence of a field that occurs more than once joined by commas.
 * An absent field is the empty string.
 *
 * @module
 */
import { asciiText, ipv6Text, macText } from "../_format.ts";
import { type FieldDef, FIELDS, occurrences, type TextSpan } from "./fields.ts";

const span: TextSpan = { buffer: new Uint8Array(0), offset: 0, length: 0 };

/** The text of occurrence `i` of field `f` in row `r`. */
function occurrenceText(f: FieldDef, t: Int32Array, b: Uint8Array, r: number, i: number): string {
  switch (f.type) {
    case "integer": {
      const v = f.value!(t, b, r, i);
      return f.hexDigits ? "0x" + v.toString(16).padStart(f.hexDigits, "0") : String(v);
    }
    case "boolean":
      return f.value!(t, b, r, i) ? "1" : "0";
    case "ipv4": {
      const v = f.value!(t, b, r, i);
      return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    }
    case "ipv6":
      return ipv6Text(b, f.value!(t, b, r, i));
    case "mac":
      return macText(b, f.value!(t, b, r, i));
    case "time":
      return `${f.value!(t, b, r, i)}.${String(f.nanos!(t, b, r, i)).padStart(9, "0")}`;
    case "string":
      f.text!(t, b, r, i, span);
      return asciiText(span.buffer, span.offset, span.length);
    case "protocol":
      return "";
  }
}

/** Field `f` of row `r` as tshark's `-T fields` prints it; empty when absent. */
export function fieldText(f: FieldDef, t: Int32Array, b: Uint8Array, r: number): string {
  const n = occurrences(f, t, b, r);
  if (n === 1) return occurrenceText(f, t, b, r, 0);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(occurrenceText(f, t, b, r, i));
  return parts.join(",");
}

/** The field named `name`, if there is one with a value to print. */
export function printableField(name: string): FieldDef | undefined {
  const f = FIELDS.get(name);
  return f && f.type !== "protocol" ? f : undefined;
}
