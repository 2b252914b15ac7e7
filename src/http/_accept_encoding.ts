/**
 * Content negotiation on `Accept-Encoding` (RFC 9110 §12.5.3): which of the codings a
 * server has ready a client takes, honouring `q` weights, `q=0` refusals and `*`.
 *
 * @module
 */

/**
 * The coding to send from `available` (in the server's order of preference, best
 * first), or undefined for the identity coding. A higher `q` wins; at equal `q`, the
 * server's order decides (Brotli before gzip, as it is smaller).
 */
export function chooseCoding<C extends string>(header: string | null, available: readonly C[]): C | undefined {
  if (!header || available.length === 0) return undefined;
  const weights = new Map<string, number>();
  for (const item of header.split(",")) {
    const [name, ...params] = item.trim().toLowerCase().split(";");
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split("=");
      if (key === "q") q = Number(value);
    }
    if (!Number.isNaN(q)) weights.set(name.trim(), q);
  }
  const weightOf = (coding: string): number => weights.get(coding) ?? weights.get("*") ?? 0;
  let best: C | undefined;
  let bestWeight = 0;
  for (const coding of available) {
    const weight = weightOf(coding === "gzip" && !weights.has("gzip") && weights.has("x-gzip") ? "x-gzip" : coding);
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
