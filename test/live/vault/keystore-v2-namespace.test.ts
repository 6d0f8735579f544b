import { keystoreSuite } from "./keystore-suite";

// Two tenants, K/V v2, namespace isolation, against OpenBao with the real vault provider.
describe("keystore, K/V v2, namespace isolation (live)", () => {
  keystoreSuite(2, "namespace", false);
});
