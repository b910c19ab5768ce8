"""Webhooks: the outbox (``emit``), Standard Webhooks signing, the retry schedule and delivery.

Other services call only ``backend.webhooks.outbox.emit`` inside their own transaction.
"""
