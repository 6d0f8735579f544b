# keys: existence check, create, read, delete
path "kv/payments/*" {
  capabilities = ["create", "read", "delete"]
}

# key listing
path "kv/payments/" {
  capabilities = ["list"]
}

# transit wrapping of new keys
path "transit/encrypt/kes-payments" {
  capabilities = ["update"]
}

# transit unwrapping on read
path "transit/decrypt/kes-payments" {
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
