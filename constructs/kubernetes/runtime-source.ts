import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { KEYSERVER_BUNDLE_FILE } from "./paths";

/** Largest bundle the ConfigMap may carry: well under Kubernetes' 1 MiB limit, leaving room for the config. */
export const MAX_BUNDLE_BYTES = 900 * 1024;
/** The official Node.js image that runs the bundle. Pin it by digest in production (`fromBundle(path, image)`). */
export const DEFAULT_NODE_IMAGE = "node:22-bookworm-slim";
/** Where runtime/Dockerfile puts the bundle in its image. */
export const IMAGE_BUNDLE_FILE = "/app/keyserver.cjs";
/** The bundle `npm run build:runtime` writes and the package ships (found as defaultBundlePath says). */
export const DEFAULT_BUNDLE_PATH = defaultBundlePath();

/**
 * Finds the packaged bundle as `require.resolve("kes-vault-kit/keyserver.cjs")` (the package's own `exports`
 * entry; Node resolves a package's own name from its files): the same call finds it in this repository, from
 * the sources or lib/, and installed under a platform repo's node_modules, bundled app or not. When that fails
 * (the bundle is not built yet, or this file was inlined into a bundle outside any package scope), it is the
 * file that entry names under the nearest package.json called kes-vault-kit above this file; `readBundle()`
 * then says to build it when it is missing.
 */
function defaultBundlePath(): string {
  try {
    return require.resolve("kes-vault-kit/keyserver.cjs");
  } catch {
    for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
      const file = path.join(dir, "package.json");
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as {
        name?: string;
        exports?: Record<string, unknown>;
      };
      const target = pkg.exports?.["./keyserver.cjs"];
      if (pkg.name === "kes-vault-kit" && typeof target === "string") return path.join(dir, target);
    }
    return path.resolve("runtime", "dist", "keyserver.cjs");
  }
}

/** A bundle file as read at synth: its text and sha256. */
export interface RuntimeBundle {
  /** Absolute path of the file. */
  readonly path: string;
  /** The file's text. */
  readonly content: string;
  /** Hex sha256 of the content. */
  readonly sha256: string;
}

/** Bundles read by this process, by path: a fleet's key servers share one read, check and hash. */
const bundles = new Map<
  string,
  { readonly mtimeMs: number; readonly size: number; readonly bundle: RuntimeBundle }
>();

/**
 * How the key server's code reaches the pod: a single-file bundle carried by the ConfigMap and run by the
 * official node image (the default, no registry needed), or an image that already contains it.
 * @see ../../docs/kubernetes.md#the-key-servers-pod
 */
export class RuntimeSource {
  /**
   * The bundle at `bundlePath`, read at synth, size-checked, shipped in the ConfigMap and run by `image`.
   * @param bundlePath Path of the bundle. @default runtime/dist/keyserver.cjs
   * @param image Node image that runs it. @default DEFAULT_NODE_IMAGE
   */
  public static fromBundle(
    bundlePath: string = DEFAULT_BUNDLE_PATH,
    image: string = DEFAULT_NODE_IMAGE,
  ): RuntimeSource {
    return new RuntimeSource(image, path.resolve(bundlePath), KEYSERVER_BUNDLE_FILE);
  }

  /**
   * An image that contains the bundle (runtime/Dockerfile builds one); the ConfigMap then carries only the
   * config, and the container runs `node <bundleFile> server --config ...`.
   * @param bundleFile Absolute path of the bundle inside the image. @default IMAGE_BUNDLE_FILE (runtime/Dockerfile)
   * @throws Error when `image` is empty or contains whitespace, or when `bundleFile` is not absolute.
   */
  public static fromImage(image: string, bundleFile: string = IMAGE_BUNDLE_FILE): RuntimeSource {
    if (image.trim() === "" || /\s/.test(image)) {
      throw new Error(
        `runtime image ${JSON.stringify(image)} is not an image reference: use e.g. "registry.example.com/keyserver:1.0.0@sha256:..."`,
      );
    }
    if (!bundleFile.startsWith("/")) {
      throw new Error(
        `runtime bundleFile ${JSON.stringify(bundleFile)} must be an absolute path inside the image: e.g. "${IMAGE_BUNDLE_FILE}"`,
      );
    }
    return new RuntimeSource(image, undefined, bundleFile);
  }

  private constructor(
    /** The container image. */
    public readonly image: string,
    /** Absolute path of the bundle to ship, or undefined when the image holds it. */
    public readonly bundlePath: string | undefined,
    /** Path of the bundle inside the container, the first argument of `node`. */
    public readonly entryFile: string,
  ) {}

  /**
   * Reads the bundle (undefined for an image source).
   * @throws Error telling to run `npm run build:runtime` when the file is missing, and naming the size and the
   *   limit when it exceeds MAX_BUNDLE_BYTES.
   */
  public readBundle(): string | undefined {
    return this.loadBundle()?.content;
  }

  /**
   * The bundle with its sha256 (undefined for an image source), read once per process and file version
   * (path, size and modification time), however many key servers ship it.
   * @throws Error as {@link RuntimeSource.readBundle}.
   */
  public loadBundle(): RuntimeBundle | undefined {
    if (this.bundlePath === undefined) return undefined;
    const stat = fs.statSync(this.bundlePath, { throwIfNoEntry: false });
    const cached = bundles.get(this.bundlePath);
    if (stat && cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.bundle;
    if (!stat) {
      throw new Error(
        `runtime bundle ${this.bundlePath} does not exist: run \`npm run build:runtime\` first, or pass RuntimeSource.fromImage(<your image>)`,
      );
    }
    const content = fs.readFileSync(this.bundlePath, "utf8");
    const size = Buffer.byteLength(content, "utf8");
    if (size > MAX_BUNDLE_BYTES) {
      throw new Error(
        `runtime bundle ${this.bundlePath} is ${size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit a ConfigMap can carry with the config: build it with --minify, or use RuntimeSource.fromImage(<your image>)`,
      );
    }
    const bundle = {
      path: this.bundlePath,
      content,
      sha256: createHash("sha256").update(content).digest("hex"),
    };
    bundles.set(this.bundlePath, { mtimeMs: stat.mtimeMs, size: stat.size, bundle });
    return bundle;
  }
}
