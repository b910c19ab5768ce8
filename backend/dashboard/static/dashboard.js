// Progressive enhancement only: every form and link works without this file.
(function () {
  "use strict";
  // Copy buttons: <button data-copy="#element-id">
  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var el = document.querySelector(btn.getAttribute("data-copy"));
      var text = el.value !== undefined ? el.value : el.textContent;
      var done = function () { btn.textContent = "Copied"; btn.setAttribute("aria-live", "polite"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { el.select && el.select(); });
      } else { if (el.select) { el.select(); document.execCommand("copy"); } done(); }
    });
  });
  // "Select all" checkboxes: <input type=checkbox data-select-all="name">
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.hidden = false;
    box.addEventListener("change", function () {
      document.querySelectorAll("input[name='" + box.getAttribute("data-select-all") + "']").forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
  // Live progress: <table data-poll="/dashboard/jobs.json"> rows <tr data-job="id"> with
  // <progress> and [data-status]; refreshed every 2 s while a job is queued or running.
  document.querySelectorAll("[data-poll]").forEach(function (table) {
    var url = table.getAttribute("data-poll");
    var tick = function () {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var active = false;
          data.jobs.forEach(function (job) {
            var row = table.querySelector("tr[data-job='" + job.id + "']");
            if (!row) { return; }
            var bar = row.querySelector("progress");
            if (bar && job.progress.total) { bar.max = job.progress.total; bar.value = job.progress.done; }
            var st = row.querySelector("[data-status]");
            if (st) { st.textContent = job.status; }
            var pct = row.querySelector("[data-pct]");
            if (pct) { pct.textContent = job.progress.total ? job.progress.done + " / " + job.progress.total : "—"; }
            if (job.status === "queued" || job.status === "running") { active = true; }
          });
          if (active) { setTimeout(tick, 2000); }
        });
    };
    setTimeout(tick, 1000);
  });
})();
