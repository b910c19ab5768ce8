"""Revenue contracts as the second source of the ledger (IFRS 15 / ASC 606 workflow)."""
