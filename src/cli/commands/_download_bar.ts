/**
 * The progress bar of `anynet get -o FILE`, drawn on standard error when it is a
 * terminal (never into a pipe or a log): how much of the body has come, against its
 * length when the server gave one. It is redrawn when the shown figure changes, not on
 * every chunk, and cleared when the download ends.
 *
 * @module
 */
import type { Progress } from "../../http/mod.ts";

const MIB = 1024 * 1024;

/** Bytes in a short human form: KiB below a MiB, MiB above. */
function size(bytes: number): string {
  return bytes < MIB ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** A bar for one download, writing through `write` (standard error). */
export class DownloadBar {
  readonly #write: (text: string) => unknown;
  #shown: string;

  constructor(write: (text: string) => unknown) {
    this.#write = write;
    this.#shown = "";
  }

  /** The callback for `onDownloadProgress`. */
  readonly update = (progress: Progress): void => {
    const { transferred, total, percent } = progress;
    let text: string;
    if (total === undefined || percent === undefined) {
      text = `${size(transferred)} received`;
    } else {
      const whole = Math.floor(percent);
      const bar = "#".repeat(Math.floor(whole / 4)).padEnd(25, ".");
      text = `[${bar}] ${whole}% of ${size(total)}`;
    }
    if (text === this.#shown) return;
    this.#shown = text;
    this.#write(`\r${text}\x1b[K`);
  };

  /** Clears the bar's line, if anything was drawn. */
  clear(): void {
    if (this.#shown !== "") this.#write("\x1b[2K\r");
  }
}
