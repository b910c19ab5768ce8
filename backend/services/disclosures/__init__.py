"""Disclosure packs: load stored runs and the ledger, build with ``engine.disclosures``, store
locked-period packs, apply auditor narrative overrides, emit ``disclosure.generated``."""
