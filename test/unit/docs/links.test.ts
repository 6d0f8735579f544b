// Every relative link in the sources (`@see` in code) and in the Markdown docs resolves to a file inside this
// repository, and to a heading of it when it names one: the package and a fresh clone carry nothing else.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SKIP = new Set(["node_modules", "lib", "dist", "cdktf.out", ".testbed", ".local", ".git", "go"]);

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(entry.name)) out.push(p);
  }
  return out;
}

/** GitHub's anchor of a Markdown heading. */
function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function anchorsOf(file: string): Set<string> {
  const headings = fs.readFileSync(file, "utf8").match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((h) => headingSlug(h.replace(/^#+ /, ""))));
}

/** Why a relative link from `from` is broken, or undefined when it resolves. */
function problem(from: string, link: string): string | undefined {
  const [target, anchor] = link.split("#");
  const resolved = target === "" ? from : path.resolve(path.dirname(from), target);
  if (!resolved.startsWith(ROOT + path.sep) && resolved !== ROOT) return "points outside the repository";
  if (!fs.existsSync(resolved)) return "does not exist";
  if (anchor && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor))
    return `has no heading #${anchor}`;
  return undefined;
}

const isRelative = (link: string) => !/^[a-z]+:/i.test(link) && !link.startsWith("//");

describe("links", () => {
  test("GIVEN the heading rule WHEN applied THEN it gives GitHub's anchors", () => {
    expect(headingSlug("The key server's pod")).toBe("the-key-servers-pod");
    expect(headingSlug("The stack and the app (`stacks/`)")).toBe("the-stack-and-the-app-stacks");
  });

  test("GIVEN every @see in the TypeScript sources WHEN resolved THEN it names a file in the repository", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of filesUnder(ROOT, /\.ts$/)) {
      for (const m of fs.readFileSync(file, "utf8").matchAll(/@see\s+(\S+)/g)) {
        const link = m[1].replace(/[),.;]+$/, "");
        if (!isRelative(link) || !/[/.]/.test(link) || link.startsWith("{")) continue;
        checked++;
        const p = problem(file, link);
        if (p) broken.push(`${path.relative(ROOT, file)}: ${link} ${p}`);
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(broken).toEqual([]);
  });

  test("GIVEN every relative link in the Markdown docs WHEN resolved THEN it names a file and heading in the repository", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of filesUnder(ROOT, /\.md$/)) {
      const text = fs.readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!isRelative(m[1])) continue;
        checked++;
        const p = problem(file, m[1]);
        if (p) broken.push(`${path.relative(ROOT, file)}: ${m[1]} ${p}`);
      }
    }
    expect(checked).toBeGreaterThan(3);
    expect(broken).toEqual([]);
  });
});
