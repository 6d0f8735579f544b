/**
 * Renders DOT text to SVG with Graphviz (compiled to WebAssembly: @hpcc-js/wasm-graphviz, no native module, no
 * download at run time) and SVG to PNG with resvg (@resvg/resvg-js, a prebuilt binary from the npm registry).
 * The PNG is drawn with an explicit font file, so text never silently disappears on a machine without fonts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { GRAPH_FONT } from "./rollout-dot";

/**
 * SVG of a DOT graph, laid out by Graphviz `dot`.
 * @throws Error "graphviz: ..." with Graphviz's message when the DOT text is invalid, or when the ES module
 *   cannot be loaded (Node older than 20.19 cannot require ES modules).
 */
export async function renderSvg(dot: string): Promise<string> {
  let Graphviz: typeof import("@hpcc-js/wasm-graphviz").Graphviz;
  try {
    ({ Graphviz } = await import("@hpcc-js/wasm-graphviz"));
  } catch (err) {
    throw new Error(
      `graphviz: @hpcc-js/wasm-graphviz cannot be loaded (${(err as Error).message.split("\n")[0]}): run bash scripts/ensure-node-modules.sh, with Node >= 20.19 (it is an ES module)`,
    );
  }
  const graphviz = await Graphviz.load();
  try {
    return graphviz.dot(dot, "svg");
  } catch (err) {
    throw new Error(`graphviz: ${(err as Error).message}`);
  }
}

/** Where Debian (fonts-dejavu-core) and other common layouts keep DejaVu Sans. */
const FONT_DIRS = [
  "/usr/share/fonts/truetype/dejavu",
  "/usr/share/fonts/dejavu",
  "/usr/share/fonts/TTF",
  "/usr/local/share/fonts",
  "/Library/Fonts",
];
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

/**
 * Files of the picture's font (DejaVu Sans): fontconfig's answer when `fc-match` exists, else the usual
 * directories. Empty when none is found.
 */
export function findGraphFontFiles(): string[] {
  const found = new Set<string>();
  try {
    const file = execFileSync("fc-match", ["-f", "%{file}", GRAPH_FONT], { encoding: "utf8", timeout: 5000 });
    if (path.basename(file).startsWith("DejaVuSans") && fs.existsSync(file)) found.add(file);
  } catch {
    // no fontconfig: look in the usual places below
  }
  for (const dir of FONT_DIRS) {
    for (const f of FONT_FILES) if (fs.existsSync(path.join(dir, f))) found.add(path.join(dir, f));
  }
  return [...found];
}

/** Options of {@link renderPng}. */
export interface RenderPngOptions {
  /**
   * Font files to draw text with (TrueType/OpenType).
   * @default - findGraphFontFiles(): DejaVu Sans from the system
   */
  readonly fontFiles?: readonly string[];
  /**
   * Scale of the PNG relative to the SVG's size.
   * @default 1.5
   */
  readonly scale?: number;
}

/**
 * PNG of an SVG, drawn by resvg.
 * @throws Error naming the fix when no font file is found or a given one does not exist, or resvg's message when
 *   the SVG is invalid.
 */
export async function renderPng(svg: string, opts: RenderPngOptions = {}): Promise<Buffer> {
  const fontFiles = [...(opts.fontFiles ?? findGraphFontFiles())];
  if (fontFiles.length === 0) {
    throw new Error(
      `no "${GRAPH_FONT}" font file found for the PNG (its text would be blank): install it (Debian: apt-get install fonts-dejavu-core) or pass --font FILE.ttf`,
    );
  }
  const missing = fontFiles.find((f) => !fs.existsSync(f));
  if (missing !== undefined)
    throw new Error(`font file ${missing} does not exist: pass an existing .ttf or .otf file`);
  const { Resvg } = await import("@resvg/resvg-js");
  const scale = opts.scale ?? 1.5;
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: false, defaultFontFamily: GRAPH_FONT, sansSerifFamily: GRAPH_FONT },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  return resvg.render().asPng();
}
