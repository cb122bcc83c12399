// servekit phone page: one card per touchpoint; every complete tap is saved at once.
// All user text is set with textContent (never parsed as HTML).
(() => {
  "use strict";
  const body = document.body;
  const api = body.dataset.api;
  const NAME_KEY = "servekit-phone-name";
  const TOKEN_KEY = "servekit-phone-token:" + body.dataset.slug;
  const MAX = 40;
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  let token = params.get("token");
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
  } else {
    token = sessionStorage.getItem(TOKEN_KEY);
  }
  const headers = { "Content-Type": "application/json", "X-XSRFToken": body.dataset.xsrf };
  if (token) headers.Authorization = "token " + token;

  const state = { name: localStorage.getItem(NAME_KEY) || "", cards: [], mine: {}, at: 0,
                  blocked: false };
  let chain = Promise.resolve();

  function status(text, kind) {
    const el = $("status");
    el.textContent = text;
    el.className = kind || "";
  }

  function checkName(raw) {
    const name = raw.trim().split(/\s+/).join(" ");
    if (!name) return [null, "Give your name or initials (1 to " + MAX + " characters)."];
    if (name.length > MAX) {
      return [null, "Your name has " + name.length + " characters; use at most " + MAX +
                    " (initials are fine)."];
    }
    return [name, null];
  }

  function buildButtons() {
    for (const box of document.querySelectorAll(".buttons")) {
      for (let v = 1; v <= 5; v++) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = String(v);
        b.setAttribute("aria-label", box.dataset.label + " " + v);
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", () => tap(box.dataset.field, v));
        box.appendChild(b);
      }
    }
  }

  function showFix(lines) {
    const fix = $("fix");
    fix.replaceChildren();
    const p = document.createElement("p");
    p.textContent = "Scores cannot be saved yet: your facilitator must fix the team's data first.";
    const ul = document.createElement("ul");
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      ul.appendChild(li);
    }
    fix.append(p, ul);
    fix.hidden = false;
    state.blocked = true;
    $("card").hidden = true;
    $("nav").hidden = true;
  }

  function note(text) {
    const el = $("note");
    el.textContent = text;
    el.hidden = false;
  }

  function render() {
    const n = state.cards.length;
    const started = !!state.name && !state.blocked;
    $("name-form").hidden = !!state.name;
    $("who").hidden = !state.name;
    $("who-name").textContent = state.name ? "Scoring as " + state.name + "." : "";
    if (!started) return;
    if (n === 0) {
      $("card").hidden = true;
      $("nav").hidden = true;
      status("Your team has no touchpoints yet; add them in the notebook first.", "bad");
      return;
    }
    if (state.at >= n) {
      $("card").hidden = true;
      $("done").hidden = false;
      $("nav").hidden = false;
      $("progress").textContent = n + " of " + n;
      $("skip").disabled = true;
      $("back").disabled = false;
      return;
    }
    const card = state.cards[state.at];
    $("done").hidden = true;
    $("card").hidden = false;
    $("nav").hidden = false;
    $("card-stage").textContent = card.stage;
    $("card-mot").hidden = !card.moment_of_truth;
    $("card-title").textContent = card.id + " · " + (card.description || card.stage || "");
    const mine = state.mine[card.id] || {};
    for (const box of document.querySelectorAll(".buttons")) {
      for (const b of box.children) {
        b.setAttribute("aria-pressed", String(mine[box.dataset.field] === Number(b.textContent)));
      }
    }
    $("progress").textContent = (state.at + 1) + " of " + n;
    $("back").disabled = state.at === 0;
    $("skip").disabled = false;
    $("skip").textContent = mine.importance && mine.performance ? "Next" : "Skip";
  }

  async function request(method, url, data) {
    let response;
    try {
      response = await fetch(url, { method, headers, credentials: "same-origin",
                                    body: data === undefined ? undefined : JSON.stringify(data) });
    } catch (err) {
      return [0, { message: "Not saved: the server cannot be reached (check the wifi), then tap again." }];
    }
    if (response.status === 403 || response.status === 401) {
      return [response.status, { message: "Refused: this page's link has no valid key; scan your team's code again." }];
    }
    let answer = {};
    try { answer = await response.json(); } catch (err) { answer = {}; }
    if (!answer.message && response.status !== 200) {
      answer.message = "Not saved: the server answered " + response.status + ".";
    }
    return [response.status, answer];
  }

  async function load(reason) {
    const [code, data] = await request("GET", api + "?scorer=" + encodeURIComponent(state.name));
    if (code !== 200) { status(data.message, "bad"); return; }
    if (data.team) $("team").textContent = data.team + ": score your journey";
    const before = state.cards.map((c) => c.id);
    const current = state.cards[state.at];
    state.cards = data.touchpoints;
    state.mine = data.mine;
    const gone = before.filter((id) => !state.cards.some((c) => c.id === id));
    if (gone.length) note("Your team deleted " + gone.join(", ") + "; " + (gone.length > 1 ? "those cards are" : "that card is") + " gone.");
    if (current) {
      const i = state.cards.findIndex((c) => c.id === current.id);
      state.at = i >= 0 ? i : Math.min(state.at, state.cards.length);
    }
    if (data.fix && data.fix.length) { showFix(data.fix); return; }
    render();
    if (reason) status(reason, "good");
  }

  async function send(row) {
    status("Saving " + row.touchpoint_id + "…", "");
    const [code, data] = await request("POST", api, row);
    if (code === 200) {
      status("Saved " + row.touchpoint_id + " (importance " + row.importance + ", performance " +
             row.performance + ").", "good");
      const ids = data.touchpoints || [];
      if (ids.length !== state.cards.length || state.cards.some((c) => !ids.includes(c.id))) {
        await load();
      }
      return;
    }
    if (code === 409 && data.gone) {
      await load();
      note(data.message);
      status("Not saved: " + data.gone + " was deleted by your team.", "bad");
      return;
    }
    if (code === 409 && data.fix) { showFix(data.fix); status("Nothing was saved.", "bad"); return; }
    status(data.message, "bad");
  }

  function tap(field, value) {
    if (state.blocked) return;
    const card = state.cards[state.at];
    if (!card) return;
    const mine = Object.assign({}, state.mine[card.id] || {});
    mine[field] = value;
    state.mine[card.id] = mine;
    render();
    if (!mine.importance || !mine.performance) {
      const missing = mine.importance ? "performance" : "importance";
      status(field[0].toUpperCase() + field.slice(1) + " " + value + " noted; tap " +
             (missing === "importance" ? "an " : "a ") + missing + " score to save it.", "");
      return;
    }
    const row = { touchpoint_id: card.id, scorer: state.name,
                  importance: mine.importance, performance: mine.performance,
                  be: mine.be || null, do: mine.do || null, have: mine.have || null };
    chain = chain.then(() => send(row));
  }

  $("name-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const [name, problem] = checkName($("name").value);
    if (problem) { status(problem, "bad"); $("name").focus(); return; }
    state.name = name;
    localStorage.setItem(NAME_KEY, name);
    state.at = 0;
    status("", "");
    load("Hello " + name + "! Tap a score on each card; every tap is saved.");
  });
  $("change-name").addEventListener("click", () => {
    state.name = "";
    localStorage.removeItem(NAME_KEY);
    $("card").hidden = true;
    $("nav").hidden = true;
    $("done").hidden = true;
    render();
    $("name").focus();
  });
  $("back").addEventListener("click", () => { if (state.at > 0) { state.at--; render(); } });
  $("skip").addEventListener("click", () => {
    if (state.at < state.cards.length) { state.at++; render(); }
  });

  buildButtons();
  render();
  load();  // the team's name in the title (and what to fix, if anything) before a name is asked
})();
