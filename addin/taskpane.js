/* Ledger Layer task pane and ribbon handlers (one shared runtime, see manifest.xml).
 *
 * Our own small Office.js client for xlwings' wire format: getBookData() sends the workbook as
 * book JSON (values from A1, date cells as ISO strings, only the sheets an action needs);
 * runActions() applies the server's actions in order, in the same Excel.run. The token lives in
 * OfficeRuntime.storage (per add-in, on this machine), never in the workbook.
 */
(function () {
  "use strict";

  const API = "/v1/addin/";
  const TOKEN_KEY = "ledger-layer-token";
  const CLIENT_VERSION = "ledger-layer-addin/1";
  const RESULT_SHEETS = /^(Schedule (IFRS16|ASC842)|Journals|Journal export|Mapping|Revenue (IFRS15|ASC606|RPO|contracts))$/i;
  const CHUNK_ROWS = 500;          // rows per setValues call: keeps each request well under Excel's limits
  const MAX_BODY = 20 * 1024 * 1024;
  // ribbon FunctionName → [route, which sheets' values to send]
  const ACTIONS = {
    extractLeases: ["leases/extract", "inputs"],
    validateLeases: ["leases/validate", "inputs"],
    confirmLeases: ["leases/confirm", "inputs"],
    pullSchedule: ["leases/schedule", "active"],
    pullJournals: ["journals/pull", "none"],
    approveSelected: ["journals/approve", "active"],
    exportJournals: ["journals/export", "none"],
    disclosurePack: ["disclosures/lease", "none"],
    extractContracts: ["revenue/contracts/extract", "inputs"],
    validateContracts: ["revenue/contracts/validate", "active"],
    confirmContracts: ["revenue/contracts/confirm", "active"],
    pullRevenueSchedules: ["revenue/contracts/schedule", "active"],
  };
  // task-pane buttons only (no ribbon button, so not associated with Office.actions)
  const PANE_ACTIONS = {
    pullMapping: ["mapping/pull", "none"],
    pushMapping: ["mapping/push", "active"],
    pullEntities: ["entities/pull", "none"],
    pushEntities: ["entities/push", "active"],
    revenueDisclosurePack: ["disclosures/revenue", "none"],
  };
  const CHANGES = new Set(["extractLeases", "validateLeases", "confirmLeases", "approveSelected", "pushMapping", "pushEntities",
                           "extractContracts", "validateContracts", "confirmContracts"]);

  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ token storage
  const storage = {
    area() {
      if (typeof OfficeRuntime !== "undefined" && OfficeRuntime.storage) return OfficeRuntime.storage;
      // Outside Office (a plain browser): the session only, never localStorage.
      return {
        getItem: async (k) => sessionStorage.getItem(k),
        setItem: async (k, v) => sessionStorage.setItem(k, v),
        removeItem: async (k) => sessionStorage.removeItem(k),
      };
    },
    get() { return this.area().getItem(TOKEN_KEY); },
    set(v) { return this.area().setItem(TOKEN_KEY, v); },
    clear() { return this.area().removeItem(TOKEN_KEY); },
  };

  // ------------------------------------------------------------ messages and progress
  function say(text, isError) {
    const box = $("messages");
    if (!box || !text) return;
    const p = document.createElement("p");
    p.textContent = text;
    if (isError) p.className = "error";
    box.prepend(p);
  }

  function busy(on) {
    document.querySelectorAll("button[data-action]").forEach((b) => { b.disabled = on; });
  }

  function progress(done, total, text) {
    const box = $("progress");
    if (!box) return;
    box.hidden = total === null;
    if (total !== null) {
      $("bar").max = Math.max(total, 1);
      $("bar").value = done;
      $("progress-text").textContent = text || "";
    }
  }

  // ------------------------------------------------------------ HTTP
  async function call(method, path, token, body, idempotent) {
    const headers = { Authorization: "Bearer " + token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // Changes carry a key so a retried click cannot store or approve twice; pulls are plain reads.
    if (idempotent) headers["Idempotency-Key"] = "addin-" + Date.now() + "-" + Math.random().toString(36).slice(2);
    const res = await fetch(path, { method, headers, body });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      let msg = err.message || "The server answered " + res.status + ".";
      if (res.status === 401) {
        msg = "Your token was not accepted (" + (err.message || "unauthenticated") + "). Sign in again.";
      }
      const rows = err.details && err.details.rows;
      if (Array.isArray(rows) && rows.length) {
        msg += "\n" + rows.slice(0, 10).map((r) => (r.row || "") + " " + (r.external_id || r.entity || "")).join("\n");
      }
      const e = new Error(msg);
      e.status = res.status;
      throw e;
    }
    return data;
  }

  // ------------------------------------------------------------ reading the workbook
  function isDateFormat(fmt) {
    if (typeof fmt !== "string" || fmt === "General") return false;
    const bare = fmt.replace(/"[^"]*"/g, "").replace(/\[[^\]]*\]/g, "");
    return /[dy]/i.test(bare);
  }

  function serialToIso(serial) {
    // 1900 system; serial 60 (the Lotus 29 Feb 1900) never occurs in lease dates.
    const ms = Math.round((serial - 25569) * 86400000);
    return new Date(ms).toISOString();
  }

  function convert(values, formats) {
    return values.map((row, r) => row.map((v, c) => {
      const fmt = formats && formats[r] ? formats[r][c] : null;
      return typeof v === "number" && isDateFormat(fmt) ? serialToIso(v) : v;
    }));
  }

  function supports(version) {
    try { return Office.context.requirements.isSetSupported("ExcelApi", version); } catch (e) { return false; }
  }

  async function selectionAddress(context) {
    let sel;
    if (supports("1.9")) sel = context.workbook.getSelectedRanges();
    else sel = context.workbook.getSelectedRange();
    sel.load("address");
    await context.sync();
    return sel.address;
  }

  async function getBookData(context, kind, args) {
    const wb = context.workbook;
    const coll = wb.worksheets;
    coll.load("items/name");
    const active = coll.getActiveWorksheet();
    active.load("name");
    wb.load("name");
    await context.sync();
    const selection = await selectionAddress(context);
    const notesOk = supports("1.18");
    const items = coll.items.map((ws) => {
      const want = kind === "inputs" ? !RESULT_SHEETS.test(ws.name)
        : kind === "active" ? ws.name === active.name : false;
      const it = { ws, want, used: null, notes: null };
      if (want) {
        it.used = ws.getUsedRangeOrNullObject(true);
        it.used.load("rowIndex,columnIndex,rowCount,columnCount");
        if (notesOk) { it.notes = ws.notes; it.notes.load("items/content"); }
      }
      return it;
    });
    await context.sync();
    for (const it of items) {
      if (it.used && !it.used.isNullObject) {
        // Values from A1, whatever the first used cell: every address the server names must match.
        it.full = it.ws.getRangeByIndexes(0, 0, it.used.rowIndex + it.used.rowCount,
                                          it.used.columnIndex + it.used.columnCount);
        it.full.load("values,numberFormat");
      }
      if (it.notes) {
        it.locations = it.notes.items.map((n) => { const r = n.getLocation(); r.load("address"); return r; });
      }
    }
    await context.sync();
    return {
      client: "Office.js", version: CLIENT_VERSION,
      book: { name: wb.name, active_sheet_index: coll.items.findIndex((w) => w.name === active.name), selection },
      names: [],
      sheets: items.map((it) => ({
        name: it.ws.name,
        values: it.full ? convert(it.full.values, it.full.numberFormat) : [[]],
        tables: [], pictures: [], charts: [], shapes: [], pivot_tables: [],
        notes: it.notes ? it.notes.items.map((n, k) => ({ address: it.locations[k].address, text: n.content })) : null,
      })),
      args: args || {},
    };
  }

  // ------------------------------------------------------------ applying actions
  function fill(rows, cols, v) { return Array.from({ length: rows }, () => Array(cols).fill(v)); }
  function rangeOf(sheets, a) {
    return sheets[a.sheet_position].getRangeByIndexes(a.start_row, a.start_column, a.row_count, a.column_count);
  }
  function cellIndex(address) {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(address.split("!").pop());
    let col = 0;
    for (const ch of m[1]) col = col * 26 + ch.charCodeAt(0) - 64;
    return [Number(m[2]) - 1, col - 1];
  }

  const CALLBACKS = {
    async setValues(ctx, sheets, a) {
      for (let r = 0; r < a.values.length; r += CHUNK_ROWS) {
        const part = a.values.slice(r, r + CHUNK_ROWS);
        sheets[a.sheet_position].getRangeByIndexes(a.start_row + r, a.start_column, part.length, a.column_count)
          .values = part;
        if (a.values.length > CHUNK_ROWS) await ctx.sync();
      }
    },
    setNumberFormat(ctx, sheets, a) {
      for (let r = 0; r < a.row_count; r += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, a.row_count - r);
        sheets[a.sheet_position].getRangeByIndexes(a.start_row + r, a.start_column, n, a.column_count)
          .numberFormat = fill(n, a.column_count, a.args[0]);
      }
    },
    setFontProperty(ctx, sheets, a) { rangeOf(sheets, a).format.font[a.args[0]] = a.args[1]; },
    setRangeColor(ctx, sheets, a) {
      const f = rangeOf(sheets, a).format.fill;
      if (a.args[0]) f.color = a.args[0]; else f.clear();
    },
    setWrapText(ctx, sheets, a) { rangeOf(sheets, a).format.wrapText = Boolean(a.args[0]); },
    setColumnHidden(ctx, sheets, a) { rangeOf(sheets, a).columnHidden = Boolean(a.args[0]); },
    setAutofit(ctx, sheets, a) {
      const fmt = rangeOf(sheets, a).format;
      if (a.args[0] === "columns") fmt.autofitColumns(); else fmt.autofitRows();
    },
    async addNote(ctx, sheets, a) {
      const ws = sheets[a.sheet_position];
      const old = ws.notes.getItemOrNullObject(a.args[0]);
      await ctx.sync();
      if (!old.isNullObject) old.delete();  // replace our previous note instead of failing on it
      ws.notes.add(a.args[0], a.args[1]);
    },
    async deleteNote(ctx, sheets, a) {
      const old = sheets[a.sheet_position].notes.getItemOrNullObject(a.args[0]);
      await ctx.sync();
      if (!old.isNullObject) old.delete();
    },
    addSheet(ctx, sheets, a) {
      const ws = ctx.workbook.worksheets.add(a.args[1]);
      ws.position = Number(a.args[0]);
      sheets.splice(Number(a.args[0]), 0, ws);
    },
    sheetDelete(ctx, sheets, a) { sheets[a.sheet_position].delete(); sheets.splice(a.sheet_position, 1); },
    sheetClear(ctx, sheets, a) { sheets[a.sheet_position].getRange().clear(); },
    activateSheet(ctx, sheets, a) { sheets[Number(a.args[0])].activate(); },
    freezePaneAtRange(ctx, sheets, a) {
      const [r, c] = cellIndex(a.args[0]);
      const panes = sheets[a.sheet_position].freezePanes;
      if (c === 0) panes.freezeRows(r);
      else if (r === 0) panes.freezeColumns(c);
      else panes.freezeAt(sheets[a.sheet_position].getRangeByIndexes(0, 0, r, c));
    },
    addTable(ctx, sheets, a) {
      const t = sheets[a.sheet_position].tables.add(a.args[0], Boolean(a.args[1]));
      if (a.args[2]) t.style = a.args[2];
      if (a.args[3]) t.name = a.args[3];
    },
    setTableTotals(ctx, sheets, a) {
      const [name, labelColumn, columns] = a.args;
      const t = sheets[a.sheet_position].tables.getItem(name);
      t.showTotals = true;
      t.columns.getItem(labelColumn).getTotalRowRange().values = [["Total"]];
      for (const col of columns) {
        t.columns.getItem(col).getTotalRowRange().formulas = [["=SUBTOTAL(109,[" + col + "])"]];
      }
    },
  };

  async function runActions(context, actions) {
    const coll = context.workbook.worksheets;
    coll.load("items/name");
    await context.sync();
    const sheets = coll.items.slice();  // kept in step with addSheet/sheetDelete, as the server counts
    for (const a of actions) {
      const fn = CALLBACKS[a.func];
      if (!fn) {
        throw new Error("The server asked for '" + a.func + "', which this version of the add-in cannot do. "
                        + "Reload the task pane.");
      }
      await fn(context, sheets, a);
    }
    await context.sync();
  }

  // ------------------------------------------------------------ actions
  function argsFor(name) {
    const v = (id) => ($(id) ? $(id).value : "");
    // Without lease rows selected, the server takes every confirmed lease of the entity filter.
    if (name === "pullSchedule") return { standard: v("standard") || "IFRS16", entity: v("entity") };
    if (name === "disclosurePack") {
      return { entity: v("entity"), period: v("period").trim(), standard: v("standard") || "IFRS16" };
    }
    if (name === "revenueDisclosurePack") {
      return { entity: v("entity"), period: v("period").trim(), scope: v("revenue-scope") || "IFRS15" };
    }
    if (name === "pullRevenueSchedules") {
      return { standard: v("revenue-standard") || "IFRS15", entity: v("entity"), as_of: v("as-of").trim() };
    }
    if (name === "extractContracts") return { entity: v("entity") };
    if (name === "pullMapping") return { entity: v("entity") };
    if (name === "pullJournals" || name === "exportJournals") {
      const args = { entity: v("entity"), period: v("period").trim() };
      if (name === "pullJournals" && v("status")) args.status = [v("status")];
      return args;
    }
    return {};
  }

  async function watchJobs(ids, token) {
    const deadline = Date.now() + 10 * 60 * 1000;
    while (Date.now() < deadline) {
      const jobs = await Promise.all(ids.map((id) => call("GET", "/v1/engine/jobs/" + id, token)));
      const done = jobs.reduce((s, j) => s + (j.progress.done || 0), 0);
      const total = jobs.reduce((s, j) => s + (j.progress.total || 0), 0);
      const finished = jobs.filter((j) => j.status === "succeeded" || j.status === "failed");
      progress(finished.length === jobs.length ? total : done, total || jobs.length,
               finished.length + " of " + jobs.length + " job(s) finished");
      if (finished.length === jobs.length) {
        const failed = jobs.filter((j) => j.status === "failed");
        say(failed.length ? failed.length + " job(s) failed: " + failed.map((j) => (j.error || {}).message).join("; ")
                          : "Schedules and journals are ready.", failed.length > 0);
        return jobs;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    say("Still computing; check again later with Pull schedule.", false);
    return null;
  }

  async function run(name) {
    const [route, kind] = ACTIONS[name] || PANE_ACTIONS[name];
    const token = await storage.get();
    if (!token) { say("Sign in first: open the Ledger Layer pane and paste your API token.", true); return null; }
    busy(true);
    try {
      const result = await Excel.run(async (context) => {
        const body = JSON.stringify(await getBookData(context, kind, argsFor(name)));
        if (body.length > MAX_BODY) {
          throw new Error("This workbook is too large to send (over 20 MB). Select fewer rows or split the workbook.");
        }
        const res = await call("POST", API + route, token, body, CHANGES.has(name));
        if (res.actions && res.actions.length) await runActions(context, res.actions);
        return res;
      });
      say(result.message, !result.ok);
      (result.notices || []).forEach((n) => say(n, false));
      if (result.job_ids && result.job_ids.length) await watchJobs(result.job_ids, token);
      return result;
    } catch (e) {
      say(e.message || String(e), true);
      return null;
    } finally {
      busy(false);
    }
  }

  // ------------------------------------------------------------ session
  async function showSession(token) {
    const s = await call("GET", API + "session", token);
    $("who").textContent = s.user.name + " <" + s.user.email + ">";
    $("role").textContent = s.role + (s.actor_kind === "agent" ? " (agent token)" : "");
    $("tenant").textContent = s.tenant_kind;
    $("entities").textContent = s.entities.join(", ") || "none";
    const sel = $("entity");
    while (sel.options.length > 1) sel.remove(1);
    s.entities.forEach((code) => sel.add(new Option(code, code)));
    $("signin").hidden = true;
    $("session").hidden = false;
    $("actions").hidden = false;
    if (!s.addin_enabled) say(s.message, true);
    return s;
  }

  async function signIn() {
    const token = $("token").value.trim();
    if (!token) { say("Paste your API token first.", true); return; }
    try {
      await showSession(token);
      await storage.set(token);
      $("token").value = "";
      say("Signed in.", false);
    } catch (e) { say(e.message, true); }
  }

  async function signOut() {
    await storage.clear();
    $("signin").hidden = false;
    $("session").hidden = true;
    $("actions").hidden = true;
    say("Signed out; the token was removed from this computer's add-in storage.", false);
  }

  async function init() {
    if ($("signin-btn")) {
      $("signin-btn").addEventListener("click", signIn);
      $("signout-btn").addEventListener("click", signOut);
      document.querySelectorAll("button[data-action]").forEach((b) =>
        b.addEventListener("click", () => run(b.dataset.action)));
    }
    const token = await storage.get();
    if (token && $("who")) {
      try { await showSession(token); } catch (e) { say(e.message, true); }
    }
  }

  function registerRibbon() {
    if (typeof Office === "undefined" || !Office.actions) return;
    Object.keys(ACTIONS).forEach((name) => Office.actions.associate(name, async (event) => {
      try { await run(name); } finally { event.completed(); }
    }));
  }

  globalThis.LedgerLayer = { ACTIONS, CALLBACKS, convert, getBookData, isDateFormat, run, runActions, serialToIso };
  if (typeof Office !== "undefined" && Office.onReady) {
    Office.onReady(() => { registerRibbon(); return init(); });
  }
})();
