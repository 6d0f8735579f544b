# keys: existence check, create, read, delete
path "tenants/payments/kv/payments/*" {
  capabilities = ["create", "read", "delete"]
}

# key listing
path "tenants/payments/kv/payments/" {
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
