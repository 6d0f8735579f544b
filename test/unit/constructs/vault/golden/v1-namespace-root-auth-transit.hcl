# keys: existence check, create, read, delete
path "tenants/payments/kv/payments/*" {
  capabilities = ["create", "read", "delete"]
}

# key listing
path "tenants/payments/kv/payments/" {
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
