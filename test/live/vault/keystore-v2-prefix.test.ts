import { keystoreSuite } from "./keystore-suite";

// Two tenants, K/V v2, prefix isolation, against OpenBao with the real vault provider.
describe("keystore, K/V v2, prefix isolation (live)", () => {
  keystoreSuite(2, "prefix", false);
});
