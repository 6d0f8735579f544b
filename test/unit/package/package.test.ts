// The package a platform repo installs: its entry points, what they may import, where the bundle is found.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { DEFAULT_BUNDLE_PATH } from "../../../constructs/kubernetes/runtime-source";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const build = JSON.parse(
  fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
);

/** Every module specifier reachable from `entry` through relative imports, with the file that imports it. */
function importGraph(entry: string): { from: string; specifier: string }[] {
  const seen = new Set<string>();
  const out: { from: string; specifier: string }[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      out.push({ from: path.relative(ROOT, file), specifier: ref.fileName });
      if (ref.fileName.startsWith(".")) visit(path.resolve(path.dirname(file), `${ref.fileName}.ts`));
    }
  };
  visit(path.join(ROOT, entry));
  return out;
}

/** The source file an `exports` entry is compiled from (lib/constructs/x.js -> constructs/x.ts). */
function sourceOf(target: string): string {
  return target.replace(/^\.\/lib\//, "").replace(/\.js$/, ".ts");
}

describe("package.json", () => {
  test("GIVEN the exports WHEN each entry point is looked up THEN it is built from a source file the build compiles", () => {
    for (const name of [".", "./spec", "./testing"]) {
      const entry = pkg.exports[name];
      expect(entry.types).toBe(entry.default.replace(/\.js$/, ".d.ts"));
      expect(fs.existsSync(path.join(ROOT, sourceOf(entry.default)))).toBe(true);
      expect(build.include).toContain(sourceOf(entry.default));
    }
    for (const name of ["spec", "testing"]) {
      // typesVersions: the same .d.ts for projects on moduleResolution "node", which ignores `exports`.
      expect(pkg.typesVersions["*"][name]).toEqual([pkg.exports[`./${name}`].types]);
    }
    expect(pkg.main).toBe(pkg.exports["."].default);
    expect(pkg.types).toBe(pkg.exports["."].types);
  });

  test("GIVEN the files list WHEN compared with the exports THEN every exported file is packed", () => {
    expect(pkg.files).toEqual(
      expect.arrayContaining(["lib/", pkg.exports["./keyserver.cjs"].replace(/^\.\//, "")]),
    );
    expect(pkg.private).toBeUndefined();
    expect(pkg.scripts.prepack).toBe("npm run build");
  });

  test("GIVEN the dependencies WHEN read THEN only yaml is a runtime dependency and cdktf comes from the platform repo", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(["yaml"]);
    for (const name of ["cdktf", "constructs", "@cdktf/provider-vault", "@cdktf/provider-kubernetes"]) {
      expect(pkg.peerDependencies[name]).toMatch(/^[~^]/);
      expect(pkg.devDependencies[name]).toBeDefined();
    }
  });

  test("GIVEN the default runtime source WHEN it locates the bundle THEN it is the file exported as kes-vault-kit/keyserver.cjs", () => {
    expect(DEFAULT_BUNDLE_PATH).toBe(path.join(ROOT, pkg.exports["./keyserver.cjs"]));
  });
});

describe("entry points", () => {
  test("GIVEN kes-vault-kit/spec WHEN its import graph is walked THEN nothing in it needs cdktf, constructs or a provider", () => {
    const imports = importGraph("constructs/spec.ts");
    expect(imports.length).toBeGreaterThan(10);
    const external = imports.filter((i) => !i.specifier.startsWith(".") && !i.specifier.startsWith("node:"));
    expect(external.map((i) => i.specifier).sort()).toEqual(["yaml"]);
  });

  test("GIVEN kes-vault-kit/testing WHEN its import graph is walked THEN it needs only Node's own modules", () => {
    const imports = importGraph("constructs/testing.ts");
    expect(imports.filter((i) => !i.specifier.startsWith(".") && !i.specifier.startsWith("node:"))).toEqual(
      [],
    );
  });

  test("GIVEN the entry files WHEN read THEN they only re-export, by name", () => {
    for (const entry of ["constructs/index.ts", "constructs/spec.ts", "constructs/testing.ts"]) {
      const code = fs
        .readFileSync(path.join(ROOT, entry), "utf8")
        .replace(/^\s*\/\/.*$/gm, "")
        .trim();
      expect(code).not.toMatch(/export \*/);
      const statements = code.split(/;\s*/).filter((s) => s !== "");
      for (const s of statements) expect(s).toMatch(/^export (type )?\{[^}]+\} from "\.\/[a-z/-]+"$/);
    }
  });
});

describe("API reports", () => {
  /** Names an entry file re-exports (parsed, not type-checked). */
  function exportedNames(entry: string): string[] {
    const source = ts.createSourceFile(
      entry,
      fs.readFileSync(path.join(ROOT, entry), "utf8"),
      ts.ScriptTarget.ES2022,
    );
    const names: string[] = [];
    for (const statement of source.statements) {
      if (
        ts.isExportDeclaration(statement) &&
        statement.exportClause &&
        ts.isNamedExports(statement.exportClause)
      ) {
        names.push(...statement.exportClause.elements.map((e) => e.name.text));
      }
    }
    return names.sort();
  }

  /** Names the checked-in API Extractor report lists. */
  function reportedNames(report: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, "api", report), "utf8");
    return [
      ...text.matchAll(
        /^export (?:declare )?(?:abstract )?(?:class|interface|function|const|type|enum) (\w+)/gm,
      ),
    ]
      .map((m) => m[1])
      .sort();
  }

  test.each([
    ["constructs/index.ts", "kes-vault-kit.api.md"],
    ["constructs/spec.ts", "kes-vault-kit-spec.api.md"],
    ["constructs/testing.ts", "kes-vault-kit-testing.api.md"],
  ])(
    "GIVEN %s WHEN its exports are compared with api/%s THEN the report lists exactly them",
    (entry, report) => {
      // A new or removed export needs `npm run api:update`; `npm run api:check` (npm test) also compares signatures.
      expect(exportedNames(entry)).toEqual(reportedNames(report));
    },
  );
});
