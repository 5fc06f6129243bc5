// The coding form (analysis.rounds.form): one paragraph at a time, values as buttons,
// autosave in localStorage, load and save the sheet as CSV. Vanilla JavaScript, no network.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("form-data").textContent);
  const VARS = {};
  DATA.variables.forEach(function (v) { VARS[v.name] = v; });
  const ORDER = DATA.variables.map(function (v) { return v.name; });
  const COL = {};
  DATA.columns.forEach(function (c, i) { if (!(c in COL)) COL[c] = i; });
  const ROW_OF = {};
  DATA.rows.forEach(function (r, i) { ROW_OF[r.para_id] = i; });
  const STORE = "coding-form:" + DATA.round + ":" + DATA.checksum;
  const NA = "n/a";
  const NONE = "none";
  const CODER = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
  // analysis.rounds.variables._SPELLINGS
  const SPELLINGS = { "true": "true", "yes": "true", "1": "true", "y": "true",
                      "false": "false", "no": "false", "0": "false", "n": "false" };
  const $ = function (id) { return document.getElementById(id); };

  let state = { coder: "", codes: {}, comments: {}, shown: {}, index: 0 };
  let focusVar = 0;

  // ---------------------------------------------------------------- values

  function pyRepr(s) { // Python's repr() of a str, as load.py's messages quote cells
    if (s.indexOf("'") >= 0 && s.indexOf('"') < 0) return '"' + s + '"';
    return "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  }

  // analysis.rounds.variables.normalise: [value, null] or [null, why]
  function normalise(v, raw) {
    const text = String(raw).trim().toLowerCase();
    if (v.binary) {
      if (Object.prototype.hasOwnProperty.call(SPELLINGS, text)) return [SPELLINGS[text], null];
      return [null, pyRepr(String(raw)) + " is not true or false"];
    }
    const parts = text.replace(/,/g, ";").split(";").filter(function (p) { return p.trim(); })
      .map(function (p) { return p.trim().replace(/ /g, "_").replace(/-/g, "_"); });
    if (!parts.length) return [null, "empty"];
    const unknown = parts.filter(function (p) { return v.values.indexOf(p) < 0; });
    if (unknown.length) {
      return [null, unknown.map(pyRepr).join(", ") + " not allowed; use " + v.values.join(" | ")];
    }
    if (parts.length > 1 && parts.indexOf(NONE) >= 0) {
      return [null, "'none' cannot be combined with a label"];
    }
    if (new Set(parts).size > 1 && !v.several) return [null, "only one value allowed"];
    if (parts.length === 1 && parts[0] === NONE) return [NONE, null];
    return [v.labels.filter(function (l) { return parts.indexOf(l) >= 0; }).join(";"), null];
  }

  function row() { return DATA.rows[state.index]; }
  function code(pid, name) { return (state.codes[pid] || {})[name] || ""; }
  function complete(i) {
    const r = DATA.rows[i];
    return r.applies.every(function (n) { return code(r.para_id, n) !== ""; });
  }
  function started(i) {
    const r = DATA.rows[i];
    return r.applies.some(function (n) { return code(r.para_id, n) !== ""; });
  }

  // ---------------------------------------------------------------- CSV

  function csvField(s) { // RFC 4180, as Python's csv (pandas' to_csv) quotes
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csvText(rows) {
    return rows.map(function (r) { return r.map(csvField).join(","); }).join("\n") + "\n";
  }
  function parseCsv(text, sep) {
    const rows = [];
    let rec = [], field = "", i = 0, quoted = false;
    const n = text.length;
    while (i < n) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          quoted = false; i += 1; continue;
        }
        field += c; i += 1; continue;
      }
      if (c === '"') { quoted = true; i += 1; continue; }
      if (c === sep) { rec.push(field); field = ""; i += 1; continue; }
      if (c === "\r" || c === "\n") {
        rec.push(field); rows.push(rec); rec = []; field = "";
        i += (c === "\r" && text[i + 1] === "\n") ? 2 : 1; continue;
      }
      field += c; i += 1;
    }
    if (field !== "" || rec.length) { rec.push(field); rows.push(rec); }
    // blank lines are no records (as pandas reads them)
    return rows.filter(function (r) { return !(r.length === 1 && r[0] === ""); });
  }

  function sheetRows() {
    const out = [DATA.columns.slice()];
    DATA.rows.forEach(function (r, i) {
      const cells = DATA.cells[i].slice();
      r.applies.forEach(function (n) { cells[COL[n]] = code(r.para_id, n); });
      if ("comment" in COL) cells[COL.comment] = state.comments[r.para_id] || "";
      out.push(cells);
    });
    return out;
  }

  // ---------------------------------------------------------------- storage

  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function cleanCodes(codes) { // only values the codebook allows, for variables that apply
    const out = {};
    Object.keys(codes || {}).forEach(function (pid) {
      if (!(pid in ROW_OF)) return;
      DATA.rows[ROW_OF[pid]].applies.forEach(function (n) {
        const value = (codes[pid] || {})[n];
        if (!value) return;
        const got = normalise(VARS[n], value);
        if (got[0] !== null) { out[pid] = out[pid] || {}; out[pid][n] = got[0]; }
      });
    });
    return out;
  }
  function restore() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!saved) {
      state.codes = cleanCodes(DATA.initial);
      state.comments = Object.assign({}, DATA.comments);
      return false;
    }
    state.coder = typeof saved.coder === "string" ? saved.coder : "";
    state.codes = cleanCodes(saved.codes);
    state.comments = Object.assign({}, saved.comments || {});
    state.shown = Object.assign({}, saved.shown || {});
    const index = Number(saved.index);
    state.index = index >= 0 && index < DATA.rows.length ? index : 0;
    return true;
  }

  // ---------------------------------------------------------------- drawing

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function keyOf(v, value) { // 1-9, 0 for the labels (true/false), n for none
    if (value === NONE) return "n";
    const j = v.values.filter(function (x) { return x !== NONE; }).indexOf(value);
    return j < 9 ? String(j + 1) : (j === 9 ? "0" : "");
  }
  function valueOfKey(v, key) {
    if (key === "n") return v.values.indexOf(NONE) >= 0 ? NONE : null;
    const labels = v.values.filter(function (x) { return x !== NONE; });
    const j = key === "0" ? 9 : Number(key) - 1;
    return j < labels.length ? labels[j] : null;
  }

  function context(box, label, p) {
    const div = el("div", { "class": "context" });
    if (!p) {
      div.textContent = label + ": none (" + (label === "Before" ? "first" : "last") +
        " paragraph of the document)";
    } else {
      div.appendChild(el("b", {}, label + " (page " + p.page + ", paragraph " +
        (p.para_no || "unnumbered") + "): "));
      div.appendChild(document.createTextNode(p.text));
    }
    box.appendChild(div);
  }

  function drawParagraph() {
    const r = row();
    const doc = DATA.documents[r.doc_id] || {};
    const box = $("paragraph");
    box.textContent = "";
    const h = el("h2", {}, "Paragraph " + (state.index + 1) + " of " + DATA.rows.length + " ");
    h.appendChild(el("span", { "class": "muted" }, r.para_id));
    box.appendChild(h);
    const meta = el("div", { "class": "meta" });
    meta.appendChild(el("b", {}, doc.symbol || r.doc_id));
    meta.appendChild(document.createTextNode(" " + (doc.title || "") + " \u00b7 " + r.doc_type +
      ", " + (doc.date || "") + " \u00b7 page " + r.page + ", paragraph " +
      (r.para_no || "unnumbered") + " \u00b7 operations: " + (r.operations || "none")));
    box.appendChild(meta);
    if (r.section) box.appendChild(el("div", { "class": "section" }, r.section));
    context(box, "Before", r.before);
    box.appendChild(el("div", { "class": "target", "id": "target" }, r.text));
    context(box, "After", r.after);

    const codes = $("codes");
    codes.textContent = "";
    r.applies.forEach(function (name, k) {
      const v = VARS[name];
      const fs = el("fieldset", { "id": "var-" + name, "data-var": name });
      const legend = el("legend");
      legend.appendChild(el("b", {}, name));
      legend.appendChild(el("span", { "class": "meaning" }, " " + v.meaning +
        (v.several ? " (several values: toggle each)" : "")));
      fs.appendChild(legend);
      const values = el("div", { "class": "values" });
      v.values.forEach(function (value) {
        const b = el("button", { "type": "button", "data-var": name, "data-value": value });
        const key = keyOf(v, value);
        if (key) b.appendChild(el("span", { "class": "key", "aria-hidden": "true" }, key));
        b.appendChild(document.createTextNode(value));
        b.addEventListener("click", function () { focusVar = k; choose(name, value); });
        values.appendChild(b);
      });
      fs.appendChild(values);
      fs.addEventListener("focusin", function () { focusVar = k; mark(); });
      codes.appendChild(fs);
    });
    $("comment").value = state.comments[r.para_id] || "";
    const first = r.applies.findIndex(function (n) { return code(r.para_id, n) === ""; });
    focusVar = first < 0 ? 0 : first;
    mark();
  }

  function drawOverview() {
    const nav = $("overview");
    if (!nav.childNodes.length) {
      DATA.rows.forEach(function (r, i) {
        const b = el("button", { "type": "button", "title": r.para_id,
                                 "aria-label": "paragraph " + (i + 1) + ", " + r.para_id },
                     String(i + 1));
        b.addEventListener("click", function () { go(i); });
        nav.appendChild(b);
      });
    }
    nav.childNodes.forEach(function (b, i) {
      b.className = (complete(i) ? "coded" : started(i) ? "partial" : "") +
        (i === state.index ? " current" : "");
    });
  }

  function drawAutomated() {
    const r = row();
    const done = complete(state.index);
    const box = $("automated");
    box.textContent = "";
    $("show").disabled = !done;
    $("show-hint").textContent = done ? "" : "(once every variable of this paragraph is coded)";
    if (!(done && state.shown[r.para_id])) return;
    const table = el("table");
    table.appendChild(el("caption", {}, "Automated codes of this paragraph"));
    const head = el("tr");
    ["variable", "automated", "yours"].forEach(function (t) { head.appendChild(el("th", {}, t)); });
    table.appendChild(head);
    r.applies.forEach(function (name) {
      const auto = (r.automated || {})[name] || "";
      const yours = code(r.para_id, name);
      const tr = el("tr", { "class": auto === yours ? "same" : "differs",
                            "data-var": name });
      tr.appendChild(el("th", {}, name));
      tr.appendChild(el("td", {}, auto));
      tr.appendChild(el("td", {}, yours));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  function mark() { // pressed buttons, focused variable, progress, overview
    const r = row();
    document.querySelectorAll("#codes fieldset").forEach(function (fs, k) {
      const name = fs.getAttribute("data-var");
      const value = code(r.para_id, name);
      const chosen = value ? value.split(";") : [];
      fs.classList.toggle("focused", k === focusVar);
      fs.classList.toggle("done", value !== "");
      fs.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed",
                       chosen.indexOf(b.getAttribute("data-value")) >= 0 ? "true" : "false");
      });
    });
    const n = DATA.rows.filter(function (_, i) { return complete(i); }).length;
    const partial = DATA.rows.filter(function (_, i) { return started(i) && !complete(i); }).length;
    $("progress").textContent = n + " of " + DATA.rows.length + " coded" +
      (partial ? " (" + partial + " started)" : "");
    $("prev").disabled = state.index === 0;
    $("next").disabled = state.index === DATA.rows.length - 1;
    drawOverview();
    drawAutomated();
  }

  function status(text, error) {
    $("status").textContent = text;
    $("status").className = "status" + (error ? " error" : "");
  }

  // ---------------------------------------------------------------- actions

  function setCode(name, value) {
    const pid = row().para_id;
    state.codes[pid] = state.codes[pid] || {};
    if (value) state.codes[pid][name] = value; else delete state.codes[pid][name];
    save();
  }

  function choose(name, value) {
    const v = VARS[name];
    const current = code(row().para_id, name);
    let next;
    if (v.several) {
      if (value === NONE) {
        next = current === NONE ? "" : NONE;
      } else {
        const set = current && current !== NONE ? current.split(";") : [];
        const at = set.indexOf(value);
        if (at >= 0) set.splice(at, 1); else set.push(value);
        next = v.labels.filter(function (l) { return set.indexOf(l) >= 0; }).join(";");
      }
    } else {
      next = current === value ? "" : value;
    }
    setCode(name, next);
    const applies = row().applies;
    if (!v.several && next && applies.indexOf(name) + 1 < applies.length) {
      focusVar = applies.indexOf(name) + 1;
    }
    mark();
  }

  function go(i) {
    if (i < 0 || i >= DATA.rows.length) return;
    state.index = i;
    save();
    drawParagraph();
  }

  function saveCsv() {
    const coder = $("coder").value.trim();
    if (!CODER.test(coder)) {
      status("Enter your coder name first (letters, digits, - and _; the file is saved as " +
             "<name>.csv).", true);
      $("coder").focus();
      return;
    }
    const blob = new Blob([csvText(sheetRows())], { type: "text/csv;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = coder + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
    const n = DATA.rows.filter(function (_, i) { return complete(i); }).length;
    status("Saved " + coder + ".csv: " + n + " of " + DATA.rows.length + " paragraphs coded " +
           "(uncoded cells are left empty). Send it back to be put in the round's folder.");
  }

  // A saved sheet read back, checked as analysis.rounds.load.read_sheet checks it.
  function loadCsv(file, text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = text.split("\n", 1)[0];
    const sep = (first.split(";").length > first.split(",").length) ? ";" : ",";
    const records = parseCsv(text, sep);
    const problems = [];
    const where = function (line, column, message) {
      problems.push(file + ":" + line + ": column '" + column + "': " + message);
    };
    if (!records.length) {
      showProblems(file, [file + ": empty file; save the form again"]);
      return;
    }
    const header = records[0].map(function (c) { return c.trim(); });
    const idx = {};
    header.forEach(function (c, i) { if (!(c in idx)) idx[c] = i; });
    const need = ["para_id"].concat(ORDER);
    const missing = need.filter(function (c) { return !(c in idx); });
    if (missing.length) {
      where(1, missing.join(", "), "missing column(s); keep the columns of the exported " +
            "sheet (" + need.join(", ") + ")");
      showProblems(file, problems);
      return;
    }
    const codes = {}, comments = {}, seen = {};
    for (let k = 1; k < records.length; k++) {
      const rec = records[k];
      const line = k + 1;
      const cell = function (c) { return c in idx ? (rec[idx[c]] || "") : ""; };
      const coded = {};
      ORDER.forEach(function (n) {
        const c = cell(n).trim();
        if (c && c.toLowerCase() !== NA) coded[n] = c;
      });
      const pid = cell("para_id").trim();
      if (!Object.keys(coded).length && !pid) continue;
      if (!(pid in ROW_OF)) {
        where(line, "para_id", pyRepr(pid) + " is not a paragraph of this sheet (" +
              DATA.sheet + "); copy ids from the exported sheet");
        continue;
      }
      if (pid in seen) {
        where(line, "para_id", pid + " is coded twice (also line " + seen[pid] +
              "); keep one row per paragraph");
        continue;
      }
      seen[pid] = line;
      const r = DATA.rows[ROW_OF[pid]];
      const restated = { doc_id: r.doc_id, para_no: r.para_no,
                         para_seq: DATA.cells[ROW_OF[pid]][COL.para_seq] };
      let wrong = false;
      ["doc_id", "para_no", "para_seq"].forEach(function (c) {
        if (wrong || !(c in idx)) return;
        let given = cell(c).trim();
        if (c === "para_seq" && /\.0$/.test(given)) given = given.slice(0, -2);
        const exported = c === "para_no" && cell("doc_id").trim();
        if ((given || exported) && given !== String(restated[c]).trim()) {
          where(line, c, pyRepr(given) + " does not match para_id " + pyRepr(pid) +
                "; keep the id columns of the exported sheet");
          wrong = true;
        }
      });
      if (wrong) continue;
      Object.keys(coded).forEach(function (n) {
        if (r.applies.indexOf(n) < 0) {
          where(line, n, pyRepr(coded[n]) + ": " + n + " is not coded for a " + r.doc_type +
                "; leave the cell n/a or empty");
          return;
        }
        const got = normalise(VARS[n], coded[n]);
        if (got[1]) { where(line, n, got[1]); return; }
        codes[pid] = codes[pid] || {};
        codes[pid][n] = got[0];
      });
      if ("comment" in idx && cell("comment")) comments[pid] = cell("comment");
    }
    state.codes = codes;
    state.comments = comments;
    const stem = file.replace(/\.csv$/i, "");
    if (!$("coder").value.trim() && CODER.test(stem)) {
      $("coder").value = stem;
      state.coder = stem;
    }
    save();
    drawParagraph();
    const n = DATA.rows.filter(function (_, i) { return complete(i); }).length;
    showProblems(file, problems);
    status("Loaded " + file + ": " + n + " of " + DATA.rows.length + " paragraphs coded" +
           (problems.length ? "; " + problems.length + " cell(s) not loaded, listed below." : "."),
           problems.length > 0);
  }

  function showProblems(file, problems) {
    const box = $("problems");
    box.textContent = "";
    if (!problems.length) return;
    box.appendChild(el("p", {}, problems.length + " problem(s) in " + file +
                       " (these cells were left empty):"));
    const ul = el("ul", { "id": "problem-list" });
    problems.forEach(function (p) { ul.appendChild(el("li", {}, p)); });
    box.appendChild(ul);
  }

  // ---------------------------------------------------------------- keys

  function onKey(e) {
    const t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) {
      if (e.key === "Escape") t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const applies = row().applies;
    const name = applies[focusVar];
    let handled = true;
    if (e.key === "j" || e.key === "ArrowRight") go(state.index + 1);
    else if (e.key === "k" || e.key === "ArrowLeft") go(state.index - 1);
    else if (e.key === "ArrowDown") { focusVar = Math.min(focusVar + 1, applies.length - 1); mark(); }
    else if (e.key === "ArrowUp") { focusVar = Math.max(focusVar - 1, 0); mark(); }
    else if (/^[0-9n]$/.test(e.key) && name) {
      const value = valueOfKey(VARS[name], e.key);
      if (value) choose(name, value);
    } else if ((e.key === "Backspace" || e.key === "Delete") && name) {
      setCode(name, ""); mark();
    } else if (e.key === "a") showAutomated();
    else handled = false;
    if (handled) e.preventDefault();
  }

  function showAutomated() {
    if (!complete(state.index)) {
      status("Code every variable of this paragraph first; then its automated codes can be " +
             "shown.", true);
      return;
    }
    state.shown[row().para_id] = true;
    save();
    drawAutomated();
  }

  // ---------------------------------------------------------------- start

  const restored = restore();
  $("coder").value = state.coder;
  $("coder").addEventListener("input", function () { state.coder = $("coder").value.trim(); save(); });
  $("comment").addEventListener("input", function () {
    const pid = row().para_id;
    if ($("comment").value) state.comments[pid] = $("comment").value;
    else delete state.comments[pid];
    save();
  });
  $("save").addEventListener("click", saveCsv);
  $("prev").addEventListener("click", function () { go(state.index - 1); });
  $("next").addEventListener("click", function () { go(state.index + 1); });
  $("show").addEventListener("click", showAutomated);
  $("load").addEventListener("change", function () {
    const f = $("load").files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = function () { loadCsv(f.name, String(reader.result)); $("load").value = ""; };
    reader.readAsText(f, "UTF-8");
  });
  document.addEventListener("keydown", onKey);
  drawParagraph();
  if (restored) {
    const n = DATA.rows.filter(function (_, i) { return complete(i); }).length;
    status("Restored the work kept in this browser: " + n + " of " + DATA.rows.length +
           " paragraphs coded.");
  }
  // for tests and the curious: the CSV the Save button writes
  window.codingForm = { csvText: csvText, parseCsv: parseCsv, sheetCsv: function () {
    return csvText(sheetRows()); }, normalise: function (name, raw) {
    return normalise(VARS[name], raw); }, loadCsv: loadCsv };
})();
