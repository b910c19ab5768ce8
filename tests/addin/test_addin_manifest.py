"""The manifest, checked offline: well-formed, required elements, HTTPS everywhere, icons 16/32/80
served without Cache-Control, ribbon FunctionNames = the handlers the task pane associates."""
from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from backend.addin import icons, manifest
from backend.settings import Settings
from tests.addin.manifest_check import check

ROOT = Path(__file__).resolve().parents[2]
BUTTONS = ["Sign in", "Extract leases", "Validate", "Confirm", "Pull schedule", "Pull journals", "Approve selected",
           "Export", "Disclosure pack", "Extract contracts", "Validate contracts", "Confirm contracts",
           "Revenue schedule + RPO"]


def _settings(**kw) -> Settings:
    return Settings(_env_file=None, **{"public_base_url": "https://localhost:8000", "environment": "development", **kw})


def test_the_checked_in_manifest_is_the_default_render_and_passes():
    xml = (ROOT / "manifest.xml").read_text()
    assert xml == manifest.render(_settings())
    problems, info = check(xml)
    assert problems == []
    assert info["tab_label"] == "Ledger Layer" and info["buttons"] == BUTTONS


def test_function_names_match_the_handlers_the_task_pane_associates():
    _, info = check(manifest.render(_settings()))
    js = (ROOT / "addin" / "taskpane.js").read_text()
    block = re.search(r"const ACTIONS = \{(.*?)\};", js, re.S).group(1)
    handlers = re.findall(r"^\s*(\w+): \[", block, re.M)
    assert sorted(info["function_names"]) == sorted(handlers) == sorted(manifest.function_names())
    assert "Office.actions.associate(name" in js and "event.completed()" in js


def test_rendered_for_the_configured_host_with_its_own_id(client, rt, monkeypatch):
    monkeypatch.setattr(rt.settings, "public_base_url", "https://ledger.example.com/")
    monkeypatch.setattr(rt.settings, "environment", "production")
    r = client.get("/addin/manifest.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    problems, info = check(r.text)
    assert problems == []
    assert all(u.startswith("https://ledger.example.com/") or u == "https://ledger.example.com"
               for u in info["urls"])
    assert info["id"] != check(manifest.render(_settings()))[1]["id"]
    assert info["id"] == check(manifest.render(_settings(public_base_url="https://ledger.example.com",
                                                         environment="production")))[1]["id"]  # stable


def test_a_plain_http_base_url_is_refused_with_the_setting_to_fix(client, rt, monkeypatch):
    monkeypatch.setattr(rt.settings, "public_base_url", "http://ledger.example.com")
    r = client.get("/addin/manifest.xml")
    assert r.status_code == 503 and "LEDGER_PUBLIC_BASE_URL" in r.json()["error"]["message"]


@pytest.mark.parametrize("size", icons.SIZES)
def test_icons_are_served_without_cache_control_at_their_size(client, size):
    r = client.get(f"/addin/assets/icon-{size}.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert "cache-control" not in {k.lower() for k in r.headers}
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", r.content[16:24]) == (size, size)
    assert r.content == icons.png(size)  # the checked-in file is what the generator draws


def test_every_image_url_of_the_manifest_is_served(client):
    _, info = check(manifest.render(_settings()))
    for url in info["image_urls"]:
        assert client.get(url.replace("https://localhost:8000", "")).status_code == 200, url


def test_the_checker_catches_broken_manifests():
    xml = manifest.render(_settings())
    broken = (xml.replace("https://localhost:8000/addin/assets/icon-16.png", "http://localhost:8000/i.png")
                 .replace('<bt:Image size="80" resid="Icon.80"/>', "", 1)
                 .replace('resid="Confirm.Tip"', 'resid="Confirm.Tipp"')
                 .replace(f"<Id>{manifest.manifest_id(_settings())}</Id>", "<Id>not-a-guid</Id>"))
    problems, _ = check(broken)
    text = "\n".join(problems)
    assert "not HTTPS: http://localhost:8000/i.png" in text and "lacks sizes ['80']" in text
    assert "Confirm.Tipp" in text and "not a GUID" in text
    assert check("<OfficeApp>")[0][0].startswith("not well-formed")


def test_task_pane_is_served(client):
    r = client.get("/addin/taskpane.html")
    assert r.status_code == 200 and "taskpane.js" in r.text and "office.js" in r.text
