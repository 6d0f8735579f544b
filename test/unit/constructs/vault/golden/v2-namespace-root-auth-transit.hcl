# keys: existence check, create (cas 0), read version 1
path "tenants/payments/kv/data/payments/*" {
  capabilities = ["create", "read"]
}

# key deletion (all versions)
path "tenants/payments/kv/metadata/payments/*" {
  capabilities = ["delete"]
}

# key listing
path "tenants/payments/kv/metadata/payments/" {
  capabilities = ["list"]
}

# transit wrapping of new keys
path "tenants/payments/transit/encrypt/kes-payments" {
  capabilities = ["update"]
}

# transit unwrapping on read
path "tenants/payments/transit/decrypt/kes-payments" {
  capabilities = ["update"]
}

# token renewal
path "auth/token/renew-self" {
  capabilities = ["update"]
}

# token lookup
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
