import { keystoreSuite } from "./keystore-suite";

// Two tenants, K/V v1, prefix isolation, against OpenBao with the real vault provider. Tenant alpha goes through `cdktf deploy --skip-provider-lock`; the others synthesize with the app and apply with terraform.
describe("keystore, K/V v1, prefix isolation (live)", () => {
  keystoreSuite(1, "prefix", true);
});
