import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", ".testbed/", ".local/", "runtime/dist/", "lib/", "coverage/", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@cdktf/provider-vault", message: "import by deep path: @cdktf/provider-vault/lib/<resource>" },
            { name: "@cdktf/provider-kubernetes", message: "import by deep path: @cdktf/provider-kubernetes/lib/<resource>" },
            { name: "@cdktf/provider-tls", message: "import by deep path" },
            { name: "@cdktf/provider-random", message: "import by deep path" },
            { name: "@cdktf/provider-time", message: "import by deep path" },
          ],
        },
      ],
    },
  },
  {
    files: ["runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["cdktf", "cdktf/*", "@cdktf/*", "constructs", "**/constructs/**", "**/stacks/**"], message: "runtime/ never imports cdktf or constructs/" }] },
      ],
    },
  },
  {
    files: ["doctor/**/*.ts", "shared/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/stacks/**", "**/stacks", "**/scripts/**", "**/test/**"], message: "doctor/ and shared/ ship in the package: they never import stacks/, scripts/ or test/" }] },
      ],
    },
  },
  {
    files: ["constructs/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/stacks/**", "**/stacks"], message: "constructs/ never imports stacks/" }] }],
    },
  },
);
