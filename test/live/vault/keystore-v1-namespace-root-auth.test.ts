import { keystoreSuite } from "./keystore-suite";

// Two tenants, K/V v1, one namespace each, both logging in through one AppRole mount in the root namespace:
// the policies live in the root and name the keystore paths through the tenant namespace.
describe("keystore, K/V v1, namespace isolation with the auth mount in the root namespace (live)", () => {
  keystoreSuite(1, "namespace-root-auth", false);
});
