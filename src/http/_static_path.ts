/**
 * From a request's URL path to the file it may name under a static root, refusing every
 * way out of the root: a decoded `..` or `.` segment (`%2e%2e` included), an encoded
 * slash (`%2f`) or a backslash that would split a segment anew, a NUL byte, and (by
 * default) dotfiles. The symbolic-link check, which needs the file system, is
 * `serveStatic()`'s.
 *
 * @module
 */

/** Why a path names no servable file. */
export type PathRefusal = "malformed" | "forbidden";

/** The decoded segments of a path, or why it is refused. */
export type StaticPath =
  | { segments: string[]; trailingSlash: boolean }
  | { refused: PathRefusal };

/**
 * Splits the URL path `pathname` (still percent-encoded, as `URL.pathname` gives it)
 * below `prefix` into decoded segments.
 *
 * @param pathname The request's path.
 * @param prefix The path the files are mounted at, ending with `/`.
 * @param allowDotfiles Whether a segment may start with a dot.
 * @returns The segments, or `{ refused: "forbidden" }` (a way out of the root, a dotfile,
 *   or a path outside the prefix) or `{ refused: "malformed" }` (bad percent-encoding).
 */
export function staticPath(pathname: string, prefix: string, allowDotfiles: boolean): StaticPath {
  if (!pathname.startsWith(prefix) && pathname + "/" !== prefix) return { refused: "forbidden" };
  const rest = pathname.slice(prefix.length);
  const segments: string[] = [];
  const raw = rest === "" ? [] : rest.split("/");
  for (let i = 0; i < raw.length; i++) {
    const encoded = raw[i]!;
    // Empty segments ("a//b", or the last one of "a/") add nothing.
    if (encoded === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch {
      return { refused: "malformed" };
    }
    if (segment === "." || segment === "..") return { refused: "forbidden" };
    if (/[/\\\0]/.test(segment)) return { refused: "forbidden" };
    if (segment.startsWith(".") && !allowDotfiles) return { refused: "forbidden" };
    segments.push(segment);
  }
  return { segments, trailingSlash: rest === "" || rest.endsWith("/") };
}

/**
 * Whether `path` is `root` or inside it; both are real paths (links resolved), so a
 * link that leads out of the root fails here whatever it is called.
 */
export function isInside(root: string, path: string): boolean {
  const base = root.endsWith("/") ? root : `${root}/`;
  return path === root || path.startsWith(base);
}
