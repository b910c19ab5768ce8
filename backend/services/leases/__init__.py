"""Lease services: drafts and workbook import, configuration (policy, IBR, FX; the rules are the engine's), recognition
runs and schedule storage, events, and the lease source of the ledger's monthly close."""
