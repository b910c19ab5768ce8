/* A fake Office/Excel host for the headless task-pane test.
 *
 * It implements only the calls addin/taskpane.js makes, over a plain state object
 * (window.fakeExcel.state) that the test seeds and reads back. Properties are readable without
 * load()/sync() (no request batching is simulated): this tests what the client asks Excel to
 * do, not Office.js's batching rules.
 */
(function () {
  "use strict";
  const state = JSON.parse(window.__FAKE_BOOK__ || '{"sheets":[{"name":"Sheet1","cells":{}}],"active":0,"selection":"A1"}');
  for (const s of state.sheets) Object.assign(s, Object.assign({ cells: {}, formats: {}, colors: {}, notes: {}, bold: {}, hidden: [], tables: {}, frozenRows: 0 }, s));
  const ribbon = {};
  const stored = {};
  const log = [];

  const key = (r, c) => r + "," + c;
  function colName(c) { let s = ""; c += 1; while (c) { const m = (c - 1) % 26; s = String.fromCharCode(65 + m) + s; c = Math.floor((c - 1) / 26); } return s; }
  function parseCell(a) {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(a.split("!").pop());
    let c = 0; for (const ch of m[1]) c = c * 26 + ch.charCodeAt(0) - 64;
    return [Number(m[2]) - 1, c - 1];
  }
  function parseRange(a) {
    const [p, q] = a.split("!").pop().split(":");
    const [r0, c0] = parseCell(p); const [r1, c1] = q ? parseCell(q) : [r0, c0];
    return [r0, c0, r1 - r0 + 1, c1 - c0 + 1];
  }
  function used(s) {
    let rows = 0, cols = 0;
    for (const k of Object.keys(s.cells)) { const [r, c] = k.split(",").map(Number); rows = Math.max(rows, r + 1); cols = Math.max(cols, c + 1); }
    return [rows, cols];
  }

  function range(s, r0, c0, nr, nc) {
    const each = (fn) => { for (let r = 0; r < nr; r++) for (let c = 0; c < nc; c++) fn(r0 + r, c0 + c, r, c); };
    const grid = (src) => Array.from({ length: nr }, (_, r) => Array.from({ length: nc }, (_, c) => {
      const v = src[key(r0 + r, c0 + c)]; return v === undefined ? "" : v; }));
    return {
      load() { return this; },
      get address() { return s.name + "!" + colName(c0) + (r0 + 1) + (nr * nc > 1 ? ":" + colName(c0 + nc - 1) + (r0 + nr) : ""); },
      get values() { return grid(s.cells); },
      set values(v) {
        log.push("values " + s.name + "!" + colName(c0) + (r0 + 1) + " x" + nr);
        each((R, C, r, c) => { const x = v[r][c]; if (x === "" || x === null) delete s.cells[key(R, C)]; else s.cells[key(R, C)] = x; });
      },
      get numberFormat() { return Array.from({ length: nr }, (_, r) => Array.from({ length: nc }, (_, c) => s.formats[key(r0 + r, c0 + c)] || "General")); },
      set numberFormat(v) { each((R, C, r, c) => { s.formats[key(R, C)] = v[r][c]; }); },
      set columnHidden(v) { if (v) for (let c = 0; c < nc; c++) if (!s.hidden.includes(c0 + c)) s.hidden.push(c0 + c); },
      format: {
        font: { set bold(v) { each((R, C) => { s.bold[key(R, C)] = v; }); } },
        fill: { set color(v) { each((R, C) => { s.colors[key(R, C)] = v; }); }, clear() { each((R, C) => { delete s.colors[key(R, C)]; }); } },
        set wrapText(v) {},
        autofitColumns() {}, autofitRows() {},
      },
      clear() { each((R, C) => { delete s.cells[key(R, C)]; delete s.formats[key(R, C)]; delete s.colors[key(R, C)]; }); },
    };
  }

  function noteKey(a) { return a.split("!").pop().replace(/\$/g, ""); }

  function worksheet(s) {
    return {
      get name() { return s.name; },
      load() { return this; },
      set position(p) { const i = state.sheets.indexOf(s); state.sheets.splice(i, 1); state.sheets.splice(p, 0, s); },
      getUsedRangeOrNullObject() {
        const [rows, cols] = used(s);
        if (!rows) return { isNullObject: true, load() {} };
        return { isNullObject: false, rowIndex: 0, columnIndex: 0, rowCount: rows, columnCount: cols, load() {} };
      },
      getRangeByIndexes(r, c, nr, nc) { return range(s, r, c, nr, nc); },
      getRange(a) { if (!a) { const [r, c] = used(s); return range(s, 0, 0, Math.max(r, 1), Math.max(c, 1)); } return range(s, ...parseRange(a)); },
      notes: {
        load() {},
        get items() { return Object.entries(s.notes).map(([a, t]) => ({ content: t, getLocation: () => ({ address: s.name + "!" + a, load() {} }) })); },
        getItemOrNullObject(a) { const k = noteKey(a); return k in s.notes ? { isNullObject: false, delete() { delete s.notes[k]; } } : { isNullObject: true }; },
        add(a, text) { const k = noteKey(a); if (k in s.notes) throw new Error("A note already exists at " + k); s.notes[k] = text; },
      },
      freezePanes: { freezeRows(n) { s.frozenRows = n; }, freezeColumns() {}, freezeAt() {} },
      tables: {
        add(addr, headers) {
          const t = { range: addr, headers, style: null, name: "Table" + (Object.keys(s.tables).length + 1), showTotals: false, totals: {} };
          const proxy = { set style(v) { t.style = v; }, set name(v) { delete s.tables[t.name]; t.name = v; s.tables[v] = t; } };
          s.tables[t.name] = t;
          return proxy;
        },
        getItem(name) {
          const t = s.tables[name];
          if (!t) throw new Error("no table " + name);
          return {
            set showTotals(v) { t.showTotals = v; },
            columns: { getItem: (col) => ({ getTotalRowRange: () => ({ set values(v) { t.totals[col] = v[0][0]; }, set formulas(v) { t.totals[col] = v[0][0]; } }) }) },
          };
        },
      },
      delete() { state.sheets.splice(state.sheets.indexOf(s), 1); },
      activate() { state.active = state.sheets.indexOf(s); },
    };
  }

  const workbook = {
    get name() { return "Leases.xlsx"; },
    load() { return this; },
    worksheets: {
      load() { return this; },
      get items() { return state.sheets.map(worksheet); },
      getActiveWorksheet() { return worksheet(state.sheets[state.active]); },
      add(name) {
        if (state.sheets.some((x) => x.name === name)) throw new Error("duplicate sheet " + name);
        const s = { name, cells: {}, formats: {}, colors: {}, notes: {}, bold: {}, hidden: [], tables: {}, frozenRows: 0 };
        state.sheets.push(s);
        return worksheet(s);
      },
    },
    getSelectedRanges() { return { address: state.selection, load() {} }; },
    getSelectedRange() { return { address: state.selection, load() {} }; },
  };

  window.Excel = { run: async (batch) => batch({ workbook, sync: async () => {} }) };
  window.OfficeRuntime = { storage: {
    getItem: async (k) => (k in stored ? stored[k] : null),
    setItem: async (k, v) => { stored[k] = v; },
    removeItem: async (k) => { delete stored[k]; },
  } };
  window.Office = {
    onReady(cb) { return Promise.resolve().then(() => cb({ host: "Excel", platform: "PC" })); },
    context: { requirements: { isSetSupported: (name, v) => name === "ExcelApi" && parseFloat(v) <= (state.apiVersion || 1.18) } },
    actions: { associate(name, fn) { ribbon[name] = fn; } },
  };
  window.fakeExcel = {
    state, ribbon, stored, log,
    select(sheet, sel) { state.active = state.sheets.findIndex((x) => x.name === sheet); state.selection = sel; },
    async press(name) { let done = false; await ribbon[name]({ completed() { done = true; } }); return done; },
  };
})();
