import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Files under `dir` (recursively) whose bytes contain `needle`: the check that data at rest is not plaintext.
 * @throws Error when `dir` does not exist (a wrong data directory would make the check pass vacuously).
 */
export function findInFiles(dir: string, needle: Buffer): string[] {
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && fs.readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}
