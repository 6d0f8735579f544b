import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import {
  DEFAULT_BUNDLE_PATH,
  MAX_BUNDLE_BYTES,
  RuntimeSource,
} from "../../../../constructs/kubernetes/runtime-source";
import { FIXTURE_BUNDLE } from "./support";

describe("RuntimeSource", () => {
  test("GIVEN a bundle file WHEN read THEN its content is returned", () => {
    expect(RuntimeSource.fromBundle(FIXTURE_BUNDLE).readBundle()).toBe(
      fs.readFileSync(FIXTURE_BUNDLE, "utf8"),
    );
  });

  test("GIVEN the sources WHEN the default bundle path is computed THEN it is the repository's runtime/dist/keyserver.cjs", () => {
    expect(DEFAULT_BUNDLE_PATH).toBe(
      path.resolve(__dirname, "..", "..", "..", "..", "runtime", "dist", "keyserver.cjs"),
    );
  });

  test("GIVEN a bundle file WHEN loaded twice THEN it is read and hashed once, and again after it changes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-bundle-"));
    const file = path.join(dir, "keyserver.cjs");
    try {
      fs.writeFileSync(file, "console.log(1);\n");
      const first = RuntimeSource.fromBundle(file).loadBundle();
      expect(first?.sha256).toBe(createHash("sha256").update("console.log(1);\n").digest("hex"));
      expect(RuntimeSource.fromBundle(file).loadBundle()).toBe(first);
      fs.writeFileSync(file, "console.log(22);\n");
      const second = RuntimeSource.fromBundle(file).loadBundle();
      expect(second?.content).toBe("console.log(22);\n");
      expect(second?.sha256).not.toBe(first?.sha256);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("GIVEN an image source WHEN read THEN there is no bundle to ship", () => {
    const src = RuntimeSource.fromImage("registry.example.com/keyserver:1.0.0");
    expect(src.readBundle()).toBeUndefined();
    expect(src.image).toBe("registry.example.com/keyserver:1.0.0");
  });

  test("fails when the bundle is missing, telling to build it", () => {
    const missing = path.join(os.tmpdir(), "kvk-no-such-bundle.cjs");
    expect(() => RuntimeSource.fromBundle(missing).readBundle()).toThrow(
      `runtime bundle ${missing} does not exist: run \`npm run build:runtime\` first`,
    );
  });

  test("fails when the bundle does not fit in a ConfigMap", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kvk-bundle-"));
    const big = path.join(dir, "big.cjs");
    fs.writeFileSync(big, "x".repeat(MAX_BUNDLE_BYTES + 1));
    try {
      expect(() => RuntimeSource.fromBundle(big).readBundle()).toThrow(
        `is ${MAX_BUNDLE_BYTES + 1} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails when the bundle path inside the image is relative", () => {
    expect(() => RuntimeSource.fromImage("ks:1", "app/keyserver.cjs")).toThrow(
      'runtime bundleFile "app/keyserver.cjs" must be an absolute path',
    );
  });

  test("fails when the image reference has spaces", () => {
    expect(() => RuntimeSource.fromImage("my image")).toThrow(
      'runtime image "my image" is not an image reference',
    );
  });
});
