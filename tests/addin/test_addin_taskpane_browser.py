"""The task pane in headless Chromium against a fake Office/Excel host: sign in, Extract leases,
Confirm, Pull journals from the ribbon handler, Approve selected — and the returned actions land
in the fake workbook. Needs Debian's chromium (`.ci/run` installs it); skipped without it."""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from backend.workbooks.template import build_template
from tests.addin.cdp import Browser, find_chromium
from tests.leases.conftest import office_lease

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); "
                                                          "CI installs it in .ci/run")
FAKE = (Path(__file__).parent / "fake_office.js").read_text()
# Records what the task pane sends, to check the book JSON it builds.
SPY = """(() => { const real = window.fetch; window.__sent = [];
  window.fetch = (url, opts) => { window.__sent.push({url: String(url), opts: opts || {}}); return real(url, opts); }; })();"""


def _serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


def fake_state() -> dict:
    """The template with three leases as Excel holds it: dates are serial numbers with a date format."""
    import io

    wb = load_workbook(io.BytesIO(build_template([office_lease("BR-1"), office_lease("BR-2"), office_lease("BR-3")])))
    sheets = []
    for ws in wb.worksheets:
        cells, formats = {}, {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if v is None:
                    continue
                k = f"{c.row - 1},{c.column - 1}"
                if isinstance(v, (datetime, date)):
                    cells[k] = _serial(v.date() if isinstance(v, datetime) else v)
                    formats[k] = "yyyy-mm-dd"
                else:
                    cells[k] = v
        sheets.append({"name": ws.title, "cells": cells, "formats": formats})
    state = {"sheets": sheets, "active": 1, "selection": "Leases!A1"}
    head = {v: int(k.split(",")[1]) for k, v in sheets[1]["cells"].items() if k.startswith("0,")}
    sheets[1]["cells"][f"2,{head['End date']}"] = "#N/A"  # a broken lookup on BR-2
    sheets[1]["formats"].pop(f"2,{head['End date']}", None)
    return state


@pytest.fixture
def browser():
    b = Browser(CHROMIUM)
    yield b
    b.close()


def _state(b: Browser) -> dict:
    return json.loads(b.eval("JSON.stringify(fakeExcel.state)"))


def _sheet(state: dict, name: str) -> dict:
    return next(s for s in state["sheets"] if s["name"] == name)


def _sign_in(b: Browser, token: str) -> str:
    b.eval(f"document.getElementById('token').value = {json.dumps(token)}; "
           "document.getElementById('signin-btn').click(); true")
    b.wait_for("!document.getElementById('session').hidden")
    return b.eval("document.getElementById('role').textContent")


def _click_and_wait(b: Browser, action: str, text: str, timeout: float = 60) -> str:
    before = b.eval("document.querySelectorAll('#messages p').length")
    b.eval(f"document.querySelector('[data-action={action}]').click(); true")
    return b.wait_for(f"(() => {{ const ps = [...document.querySelectorAll('#messages p')]; "
                      f"return ps.length > {before} && ps.map(p => p.textContent).find(t => t.includes({json.dumps(text)})); }})()",
                      timeout)


def test_task_pane_extract_confirm_pull_and_approve(browser, live_server, client, demo, make_user, drain):
    _, approver = make_user("APPROVER")
    browser.add_init_script(f"window.__FAKE_BOOK__ = {json.dumps(json.dumps(fake_state()))};\n{FAKE}\n{SPY}")
    browser.goto(f"{live_server}/addin/taskpane.html")
    assert browser.eval("Object.keys(fakeExcel.ribbon).sort().join(',')") == (
        "approveSelected,confirmContracts,confirmLeases,disclosurePack,exportJournals,extractContracts,extractLeases,"
        "pullJournals,pullRevenueSchedules,pullSchedule,validateContracts,validateLeases")
    assert _sign_in(browser, demo.owner_token) == "OWNER"
    assert browser.eval("fakeExcel.stored['ledger-layer-token']") == demo.owner_token  # Office storage
    assert demo.owner_token not in json.dumps(_state(browser))  # never in the workbook

    # Extract: drafts stored, status column written, the #N/A cell marked red with a note.
    msg = _click_and_wait(browser, "extractLeases", "Extracted 3 leases")
    assert "1 with errors" in msg
    sent = browser.eval("JSON.stringify(window.__sent.filter(x => x.url.includes('/leases/extract')))")
    (req,) = json.loads(sent)
    book = json.loads(req["opts"]["body"])
    assert book["client"] == "Office.js" and set(book) >= {"version", "book", "names", "sheets", "args"}
    assert req["opts"]["headers"]["Authorization"] == f"Bearer {demo.owner_token}"
    assert "Idempotency-Key" in req["opts"]["headers"]
    leases_sheet = next(x for x in book["sheets"] if x["name"] == "Leases")
    assert all(set(x) >= {"tables", "pictures", "charts", "shapes", "pivot_tables"} for x in book["sheets"])
    assert leases_sheet["values"][0][0] == "Lease ID"  # from A1
    assert "2026-01-01T00:00:00.000Z" in leases_sheet["values"][1] and "#N/A" in leases_sheet["values"][2]
    assert book["book"]["active_sheet_index"] == 1 and book["book"]["selection"] == "Leases!A1"
    assert browser.eval("LedgerLayer.isDateFormat('[$-409]d mmm yyyy') && !LedgerLayer.isDateFormat('#,##0.00')")
    leases = {x["external_id"]: x for x in client.get("/v1/leases", headers=demo.headers()).json()["data"]}
    assert set(leases) == {"BR-1", "BR-2", "BR-3"} and leases["BR-1"]["lease"]["commencement_date"] == "2026-01-01"
    sheet = _sheet(_state(browser), "Leases")
    head = {v: int(k.split(",")[1]) for k, v in sheet["cells"].items() if k.startswith("0,")}
    assert sheet["cells"][f"1,{head['Ledger ID']}"] == leases["BR-1"]["id"]
    assert sheet["cells"][f"2,{head['Ledger status']}"].startswith("Draft: 1 error")
    assert sheet["colors"][f"2,{head['End date']}"] == "#FFC7CE"
    end_cell = browser.eval(f"(() => {{ let c = {head['End date']}, s = ''; c += 1; while (c) {{ const m = (c - 1) % 26; "
                            "s = String.fromCharCode(65 + m) + s; c = Math.floor((c - 1) / 26); } return s + '3'; })()")
    assert "#N/A" in sheet["notes"][end_cell]
    assert head["Ledger ID"] in sheet["hidden"] and head["Ledger version"] in sheet["hidden"]

    # Confirm the two good rows; the pane polls the jobs while the worker runs them.
    browser.eval("fakeExcel.select('Leases', 'Leases!A2:B2, Leases!A4'); true")
    _click_and_wait(browser, "confirmLeases", "Confirmed 2 leases")
    drain()
    browser.wait_for("[...document.querySelectorAll('#messages p')].some(p => p.textContent.includes('ready'))")

    # Pull journals from the ribbon handler (it must call event.completed()).
    assert browser.eval("fakeExcel.press('pullJournals')") is True
    pull = json.loads(browser.eval("JSON.stringify(window.__sent.filter(x => x.url.includes('/journals/pull')))"))
    pulled = json.loads(pull[0]["opts"]["body"])
    assert all(x["values"] == [[]] for x in pulled["sheets"])  # a pull needs no cell values
    assert pulled["args"]["status"] == ["draft"] and "Idempotency-Key" not in pull[0]["opts"]["headers"]
    journals = _sheet(_state(browser), "Journals")
    jhead = {v: int(k.split(",")[1]) for k, v in journals["cells"].items() if k.startswith("0,")}
    n_rows = max(int(k.split(",")[0]) for k in journals["cells"])
    assert n_rows > 2 and journals["frozenRows"] == 1 and journals["tables"]["LL_Journals"]["showTotals"]
    assert journals["tables"]["LL_Journals"]["totals"]["Debit"] == "=SUBTOTAL(109,[Debit])"

    # Approve selected, as a second person.
    browser.eval("document.getElementById('signout-btn').click(); true")
    assert browser.eval("fakeExcel.stored['ledger-layer-token'] === undefined")
    assert _sign_in(browser, approver) == "APPROVER"
    browser.eval(f"fakeExcel.select('Journals', 'Journals!A2:C{n_rows + 1}'); true")
    _click_and_wait(browser, "approveSelected", "Approved")
    journals = _sheet(_state(browser), "Journals")
    statuses = {journals["cells"][f"{r},{jhead['Status']}"] for r in range(1, n_rows + 1)}
    assert statuses == {"approved"}
    entries = client.get("/v1/journal-entries", headers=demo.headers(), params={"limit": 200}).json()["data"]
    assert entries and {e["status"] for e in entries} == {"approved"}

    # Disclosure pack: written as its own sheets; the tie-out status shows in the pane.
    browser.eval("document.getElementById('entity').value = 'DEMO-US'; "
                 "document.getElementById('period').value = '2026-01'; true")
    msg = _click_and_wait(browser, "disclosurePack", "Tie-out:")
    assert "Disclosures – IFRS 16 – 2026-01" in msg
    names = [x["name"] for x in _state(browser)["sheets"]]
    assert "Disclosures – IFRS 16 – 2026-01" in names and "Tie-out – IFRS 16 – 2026-01" in names
    assert not [c for c in browser.console if c.startswith("EXCEPTION")]
