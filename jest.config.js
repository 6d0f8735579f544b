/** @type {import('jest').Config} */
const transform = { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] };
const common = { testEnvironment: "node", transform, moduleFileExtensions: ["ts", "js", "json"] };

module.exports = {
  // unit: no process, no network, no test bed. live: real OpenBao / Terraform / KES / MinIO from the test bed.
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    { ...common, displayName: "live", testMatch: ["<rootDir>/test/live/**/*.test.ts"], testTimeout: 600000 },
  ],
};
