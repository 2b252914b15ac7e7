/// <reference lib="dom" />
/**
 * A list that draws only the rows in sight: a spacer as tall as every row would be, and a
 * small pool of row elements moved and refilled as it scrolls, so a million packets cost
 * the DOM the same few dozen elements. Past the height a browser can lay out (a few
 * million pixels), the scroll position maps onto the rows proportionally.
 *
 * @module
 */

/** Tallest spacer drawn; Chromium stops laying out elements near 33.5 million pixels. */
const MAX_HEIGHT = 8_000_000;

/** Fills `element` with row `position` of the list (from 0). */
export type DrawRow = (element: HTMLElement, position: number) => void;

/** The scrolling list. */
export class VirtualTable {
  readonly scroller: HTMLElement;
  readonly rowHeight: number;
  private readonly body: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly draw: DrawRow;
  private readonly pool: HTMLElement[] = [];
  private count = 0;
  private scheduled = false;

  /**
   * @param scroller The element that scrolls; the table adds its body after what is there.
   * @param rowHeight Pixels per row (fixed, so positions are arithmetic).
   * @param draw Fills a row element.
   */
  constructor(scroller: HTMLElement, rowHeight: number, draw: DrawRow) {
    this.scroller = scroller;
    this.rowHeight = rowHeight;
    this.draw = draw;
    this.body = document.createElement("div");
    this.body.className = "vt-body";
    this.layer = document.createElement("div");
    this.layer.className = "vt-layer";
    this.body.append(this.layer);
    scroller.append(this.body);
    scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(scroller);
  }

  /** How many rows there are now; redraws when in sight. */
  setCount(count: number): void {
    this.count = count;
    this.body.style.height = `${Math.min(count * this.rowHeight, MAX_HEIGHT)}px`;
    this.schedule();
  }

  /** Rows that fit in sight. */
  pageRows(): number {
    return Math.max(1, Math.floor(this.viewHeight() / this.rowHeight));
  }

  /** Redraws the rows in sight (after a selection changed, say). */
  refresh(): void {
    this.schedule();
  }

  /** Scrolls the least needed to show row `position`. */
  reveal(position: number): void {
    const first = this.firstRow();
    const page = this.pageRows();
    if (position < Math.ceil(first)) this.scrollToRow(position);
    else if (position >= Math.floor(first) + page) this.scrollToRow(position - page + 1);
    this.schedule();
  }

  private viewHeight(): number {
    return this.scroller.clientHeight - this.body.offsetTop;
  }

  /** Pixels of the full list per pixel of scroll (1 until the list is taller than MAX_HEIGHT). */
  private ratio(): number {
    const full = this.count * this.rowHeight, drawn = Math.min(full, MAX_HEIGHT), view = this.viewHeight();
    return drawn <= view ? 1 : Math.max(1, (full - view) / (drawn - view));
  }

  /** The (fractional) row at the top of the view. */
  private firstRow(): number {
    return (this.scroller.scrollTop * this.ratio()) / this.rowHeight;
  }

  private scrollToRow(position: number): void {
    this.scroller.scrollTop = (position * this.rowHeight) / this.ratio();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  private render(): void {
    const top = this.firstRow();
    const first = Math.floor(top);
    const shown = Math.min(this.count - first, this.pageRows() + 2);
    while (this.pool.length < shown) {
      const row = document.createElement("div");
      row.className = "row";
      this.layer.append(row);
      this.pool.push(row);
    }
    // The layer follows the scroll; rows sit in it at their fraction of a row.
    this.layer.style.transform = `translateY(${this.scroller.scrollTop - (top - first) * this.rowHeight}px)`;
    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i];
      if (i < shown) {
        row.hidden = false;
        this.draw(row, first + i);
      } else {
        row.hidden = true;
      }
    }
  }
}
