import { keystoreSuite } from "./keystore-suite";

// Two tenants, K/V v1, namespace isolation, against OpenBao with the real vault provider.
describe("keystore, K/V v1, namespace isolation (live)", () => {
  keystoreSuite(1, "namespace", false);
});
