/**
 * Counts of names seen in a capture (DNS query names, TLS server names) in bounded
 * memory: at most `MAX_NAMES` distinct names are counted one by one; the ones that
 * arrive after that are summed together, and the summary says so.
 *
 * @module
 */

/** Most distinct names counted one by one. */
export const MAX_NAMES = 10000;

/** Names in a summary: the most frequent, their counts, and how complete they are. */
export interface NameCounts {
  /** The most frequent names, most frequent first (ties in name order). */
  names: { name: string; count: number }[];
  /** Distinct names counted (at most `MAX_NAMES`). */
  distinct: number;
  /** Times a name was seen after the bound was reached (those names are not listed). */
  uncounted: number;
}

/** Counts names up to a bound. */
export class NameCounter {
  private readonly counts = new Map<string, number>();
  private uncounted = 0;

  /** Counts one sighting of `name`. */
  add(name: string): void {
    const n = this.counts.get(name);
    if (n !== undefined) this.counts.set(name, n + 1);
    else if (this.counts.size < MAX_NAMES) this.counts.set(name, 1);
    else this.uncounted++;
  }

  /** The `top` most frequent names. */
  result(top: number): NameCounts {
    const names = [...this.counts].map(([name, count]) => ({ name, count }))
      .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .slice(0, top);
    return { names, distinct: this.counts.size, uncounted: this.uncounted };
  }
}
