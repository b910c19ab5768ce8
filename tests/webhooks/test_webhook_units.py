"""Signing, the retry schedule, secret encryption and the URL safety rules, without a database."""
from __future__ import annotations

import base64
import socket
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from backend.webhooks import delivery, schedule, secret_box, signing


def test_our_signature_verifies_with_the_standardwebhooks_package():
    secret = signing.generate_secret()
    body = b'{"event_id":"01J","data":{"amount":"100.00","name":"Caf\xc3\xa9"}}'
    ts = int(datetime.now(timezone.utc).timestamp())
    headers = signing.headers([secret], "01JEVENT", ts, body)
    assert Webhook(secret).verify(body, headers)["data"]["amount"] == "100.00"
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.generate_secret()).verify(body, headers)  # another secret
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"100.00", b"900.00"), headers)  # altered body


def test_during_rotation_both_secrets_verify():
    old, new = signing.generate_secret(), signing.generate_secret()
    body, ts = b"{}", int(datetime.now(timezone.utc).timestamp())
    headers = signing.headers([new, old], "01JEVENT", ts, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(sig.startswith("v1,") for sig in headers["webhook-signature"].split(" "))
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)


def test_secret_format_is_whsec_base64_of_32_bytes():
    secret = signing.generate_secret()
    assert secret.startswith("whsec_")
    assert len(signing.secret_key_bytes(secret)) == 32
    assert secret != signing.generate_secret()


def test_schedule_is_0_5min_1h_6h_24h_with_ten_percent_jitter():
    nominal = [timedelta(0), timedelta(minutes=5), timedelta(hours=1), timedelta(hours=6), timedelta(hours=24)]
    seen = set()
    for i in range(200):
        delivery_id = f"01DELIVERY{i:04d}"
        offsets = [schedule.offset(delivery_id, n) for n in range(1, 6)]
        assert offsets[0] == timedelta(0)
        for got, want in zip(offsets, nominal):
            assert want * 0.9 <= got <= want * 1.1
        assert offsets == sorted(offsets) and offsets[-1] <= timedelta(hours=24)
        assert offsets == [schedule.offset(delivery_id, n) for n in range(1, 6)]  # deterministic
        seen.add(offsets[1])
    assert len(seen) > 150  # jitter actually spreads deliveries
    with pytest.raises(ValueError):
        schedule.offset("x", 6)


def test_a_late_attempt_waits_the_nominal_gap_instead_of_bursting():
    first = datetime(2026, 1, 1, tzinfo=timezone.utc)
    on_time = first + schedule.offset("d1", 2)
    assert schedule.next_attempt_at(first, "d1", 3, on_time) == schedule.attempt_at(first, "d1", 3)
    late = first + timedelta(hours=30)  # the worker was down past every planned time
    assert schedule.next_attempt_at(first, "d1", 3, late) == late + timedelta(minutes=55)
    assert schedule.next_attempt_at(first, "d1", 5, late) == late + timedelta(hours=18)


def test_secret_box_round_trip_and_refusals():
    key = "k" * 40
    token = secret_box.encrypt("whsec_abc123", key)
    assert "abc123" not in token and token.startswith("v1:")
    assert secret_box.decrypt(token, key) == "whsec_abc123"
    assert secret_box.encrypt("whsec_abc123", key) != token  # fresh nonce each time
    with pytest.raises(secret_box.SecretUnreadable):
        secret_box.decrypt(token, "j" * 40)
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[20] ^= 1  # a flipped ciphertext bit fails the tag
    with pytest.raises(secret_box.SecretUnreadable):
        secret_box.decrypt("v1:" + base64.urlsafe_b64encode(bytes(raw)).decode(), key)


@pytest.mark.parametrize("url", [
    "http://hooks.example.com/x", "https://localhost/x", "https://127.0.0.1/x", "https://10.1.2.3/x",
    "https://192.168.1.10/x", "https://169.254.169.254/latest/meta-data", "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x", "https://[::ffff:169.254.169.254]/x", "https://100.64.0.1/x",
    "https://224.0.0.1/x", "https://0.0.0.0/x", "https://0/x", "https://2130706433/x", "https://0x7f000001/x",
    "https://0177.0.0.1/x", "https://127.1/x", "https://10.1/x", "https://[fe80::1]/x", "https://[fd00::1]/x",
    "https://metadata.google.internal/computeMetadata/v1/", "https://metadata/x", "https://db.corp/x",
    "https://printer.local/x", "https://hooks.example.com /x", "https://hooks.example.com/a b",
    "ftp://hooks.example.com/x", "https://user:pw@hooks.example.com/x", "hooks.example.com/x",
])
def test_every_tenant_refuses(url):
    """#12.6: the same rules in every tenant; loopback only with the operator's development switch."""
    with pytest.raises(delivery.UnsafeUrl):
        delivery.check_url(url)


@pytest.mark.parametrize("url", ["https://hooks.example.com/x?y=1", "https://93.184.215.14:8443/x"])
def test_public_https_is_accepted(url):
    delivery.check_url(url)


def test_loopback_only_with_the_development_switch():
    for url in ("http://127.0.0.1:8080/x", "http://localhost:5678/webhook", "http://[::1]:9000/"):
        with pytest.raises(delivery.UnsafeUrl):
            delivery.check_url(url)
        delivery.check_url(url, allow_loopback=True)
    for url in ("http://hooks.example.com/x", "http://10.0.0.5/x", "https://10.0.0.5/x"):
        with pytest.raises(delivery.UnsafeUrl):
            delivery.check_url(url, allow_loopback=True)


def test_a_public_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    """The name passes the static check; the DNS answer is what is vetted (and then connected to)."""
    answers = {"hooks.example.com": "10.0.0.7"}
    monkeypatch.setattr(delivery.socket, "getaddrinfo", lambda host, port, **kw: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))])
    target = delivery.check_url("https://hooks.example.com/x")
    for allow in (False, True):
        with pytest.raises(delivery.UnsafeUrl):
            delivery.resolve(target, allow)
    answers["hooks.example.com"] = "::ffff:169.254.169.254"
    with pytest.raises(delivery.UnsafeUrl):
        delivery.resolve(target)
    answers["hooks.example.com"] = "93.184.215.14"
    assert delivery.resolve(target) == ["93.184.215.14"]
