"""Platform services: who is acting (context, identity, tokens, passwords, web sessions), tenancy,
the hash-chained audit trail (chain, reader, group-commit writer), idempotency, pagination, gates."""
