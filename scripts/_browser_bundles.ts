/**
 * The scripts that pages run (the capture viewer, the HTML report), each bundled by
 * scripts/build.ts from one entry point into a single minified script with no imports
 * left, so a page or a self-contained report can inline it. An entry point may import
 * only code that a browser can run: esbuild refuses `node:` modules for the browser
 * platform, which keeps Node-only code out of the pages. The entry points themselves run
 * page code when loaded, so test/runtime/type_stripping.test.ts leaves them out.
 *
 * @module
 */

/** One bundle: the constant it becomes in src/packet/_browser_assets_embedded.ts, and its entry point. */
export interface BrowserBundle {
  constant: string;
  /** The entry point, from the project root. */
  entry: string;
  /** What the bundle is, for the generated file's comment. */
  what: string;
}

/** Every bundle the build makes. */
export const BROWSER_BUNDLES: readonly BrowserBundle[] = [
  { constant: "REPORT_JS", entry: "src/packet/report/report_page.ts", what: "The HTML report's script" },
  { constant: "VIEWER_JS", entry: "src/packet/view/_viewer_page.ts", what: "The capture viewer's page script" },
  {
    constant: "VIEWER_WORKER_JS",
    entry: "src/packet/view/_viewer_worker.ts",
    what: "The capture viewer's decoding worker",
  },
];
