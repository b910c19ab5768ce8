"""Webhook endpoints and deliveries as the API and dashboard manage them (delivery itself lives in
``backend.webhooks``)."""
