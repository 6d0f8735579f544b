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

# token renewal
path "auth/token/renew-self" {
  capabilities = ["update"]
}

# token lookup
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
