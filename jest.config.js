/** @type {import('jest').Config} */
// tsconfig.json sets isolatedModules, so ts-jest transpiles file by file; `npm run typecheck` checks types.
const transform = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };
// @hpcc-js/wasm-graphviz (stacks/graph) ships ES modules only: ts-jest turns it into CommonJS like our own files.
const esmPackages = {
  "^.+/node_modules/@hpcc-js/.+\\.js$": ["ts-jest", { diagnostics: false, tsconfig: { allowJs: true } }],
};
const common = {
  testEnvironment: "node",
  transform: { ...transform, ...esmPackages },
  transformIgnorePatterns: ["/node_modules/(?!@hpcc-js/)"],
  moduleFileExtensions: ["ts", "js", "json"],
};

module.exports = {
  // unit: no process, no network, no test bed. live: real OpenBao / Terraform / KES / MinIO from the test bed.
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "live",
      testMatch: ["<rootDir>/test/live/**/*.test.ts"],
      setupFilesAfterEnv: ["<rootDir>/test/live/setup.ts"],
    },
  ],
};
