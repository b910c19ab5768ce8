"""The source-neutral ledger: journal entries (writer, queries, lifecycle), period locks, exports,
account mapping and the monthly close that every source (leases, revenue contracts) plugs into."""
