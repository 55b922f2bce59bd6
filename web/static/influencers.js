/*
 * Resonance influencer table: /api/influencers filtered, sorted and paged; the CSV link carries
 * the same filters. Rows link to the network view focused on the account. User text reaches the
 * DOM through textContent only. The "Add to shortlist" buttons stay hidden unless
 * window.RESONANCE_SHORTLISTS is true (shortlist-picker.js sets it); they only dispatch a
 * "resonance:shortlist" event, which the picker answers. The Trend column draws each row's rank
 * across the kept runs as a sparkline (trajectory.js), the page's rows in one request
 * (GET /api/runs/trajectories).
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var PAGE = 50;

  function start() {
    var form = document.getElementById("filters");
    var table = document.getElementById("influencers");
    if (!form || !table || !R) {
      return;
    }
    var body = table.tBodies[0];
    var summary = document.getElementById("summary");
    var status = document.getElementById("page-status");
    var csv = document.getElementById("csv-link");
    var params = new URLSearchParams(window.location.search);
    var state = {
      sort: params.get("sort") || "rank",
      offset: Math.max(0, parseInt(params.get("offset") || "0", 10) || 0),
      total: 0,
    };
    var request = 0;
    var shortlists = window.RESONANCE_SHORTLISTS === true;
    table.querySelector(".shortlist-col").hidden = !shortlists;
    // Several rows at once: tick them, then one button adds them all (kept across pages).
    var selected = {};
    var addSelected = document.getElementById("add-selected");
    function showSelected() {
      var ids = Object.keys(selected);
      if (addSelected) {
        addSelected.hidden = !shortlists || ids.length === 0;
        addSelected.textContent = R.plural(ids.length, "Add the {count} selected account to a shortlist",
          "Add the {count} selected accounts to a shortlist");
      }
    }
    if (addSelected) {
      addSelected.addEventListener("click", function () {
        var ids = Object.keys(selected);
        document.dispatchEvent(new CustomEvent("resonance:shortlist", {
          detail: { ids: ids, handle: ids.length + " account" + (ids.length === 1 ? "" : "s") },
        }));
      });
    }

    R.applyParams(form, params);
    R.loadFilterChoices(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      state.offset = 0;
      load();
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      R.FILTERS.forEach(function (name) {
        form.elements.namedItem(name).value = "";
      });
      state.offset = 0;
      load();
    });
    Array.prototype.forEach.call(table.querySelectorAll("th[data-sort] button"), function (button) {
      button.addEventListener("click", function () {
        state.sort = button.parentNode.dataset.sort;
        state.offset = 0;
        load();
      });
    });
    document.querySelector("[data-action='previous']").addEventListener("click", function () {
      state.offset = Math.max(0, state.offset - PAGE);
      load();
    });
    document.querySelector("[data-action='next']").addEventListener("click", function () {
      if (state.offset + PAGE < state.total) {
        state.offset += PAGE;
        load();
      }
    });
    load();

    function load() {
      var query = R.filterParams(form);
      query.set("sort", state.sort);
      csv.href = "/api/influencers.csv?" + query.toString();
      var shown = new URLSearchParams(query);
      if (state.offset) {
        shown.set("offset", String(state.offset));
      }
      window.history.replaceState(null, "", "?" + shown.toString());
      query.set("limit", String(PAGE));
      query.set("offset", String(state.offset));
      Array.prototype.forEach.call(table.querySelectorAll("th[data-sort]"), function (th) {
        if (th.dataset.sort === state.sort) {
          th.setAttribute("aria-sort", state.sort === "handle" ? "ascending" : "descending");
        } else {
          th.removeAttribute("aria-sort");
        }
      });
      var mine = ++request;
      summary.textContent = R.t("Loading…");
      R.send("GET", "/api/influencers?" + query.toString())
        .then(function (page) {
          if (mine !== request) {
            return;
          }
          R.hideWindowNotice();
          state.total = page.total;
          render(page);
        })
        .catch(function (error) {
          if (mine !== request) {
            return;
          }
          if (error.status === 409) {
            // Another window than the analysed one: offer to analyse it, then load again.
            R.clear(body);
            status.textContent = "";
            summary.textContent = R.t("No scores for this window yet.");
            R.showWindowNotice(error.message, query.get("since"), query.get("until"), load);
            return;
          }
          summary.textContent = R.t("Could not load the influencers: {error}", { error: R.t(error.message) });
        });
    }

    function render(page) {
      R.clear(body);
      page.items.forEach(function (item) {
        body.appendChild(row(item));
      });
      loadTrends(page.items);
      measureLens(page.items);
      summary.textContent = R.plural(page.total, "{count} influencer matches", "{count} influencers match");
      var last = Math.min(page.offset + page.items.length, page.total);
      status.textContent = page.total
        ? R.t("{first}–{last} of {total}", { first: R.number(page.offset + 1), last: R.number(last), total: R.number(page.total) })
        : "";
    }

    /* The lens: each row's share of its audience inside the target picked (one request for
       the page's rows, POST /api/target-shares); sorted and filtered on the page. */
    var lens = document.getElementById("lens-form");
    var Target = window.ResonanceTarget;
    var lensColumn = null;
    if (lens && Target) {
      Target.fillChoices(lens, [], []);
      lensColumn = Target.wireColumn(table, table.querySelector("[data-lens-sort]"), document.getElementById("lens-min"));
      lens.addEventListener("submit", function (event) {
        event.preventDefault();
        measureLens(Array.prototype.map.call(body.rows, function (tr) {
          return { id: tr.dataset.userId };
        }));
      });
    }

    function measureLens(items) {
      if (!lens || !Target || !items.length) {
        return;
      }
      var target = Target.chosen(lens);
      var status = lens.querySelector("[data-field='lens-status']");
      if (!target.topics.length && !target.communities.length) {
        status.textContent = R.t("Pick topics or communities to measure.");
        return;
      }
      var mine = request;
      status.textContent = R.t("Measuring…");
      var asked = Object.assign({ user_ids: items.map(function (item) { return item.id; }) }, target);
      R.send("POST", "/api/target-shares", asked)
        .then(function (found) {
          if (mine !== request) {
            return;
          }
          var byId = {};
          found.items.forEach(function (entry) {
            byId[entry.user_id] = entry.in_target;
          });
          Array.prototype.forEach.call(body.rows, function (tr) {
            var cell = tr.querySelector("td.in-target");
            var value = byId[tr.dataset.userId];
            cell.textContent = Target.percent(value);
            cell.dataset.share = value === null || value === undefined ? "" : String(value);
          });
          status.textContent = R.t("Share of each row's audience inside: {target}", {
            target: [].concat(target.topics, target.communities.map(function (c) {
              return R.t("community {number}", { number: c });
            })).join(", "),
          });
          lensColumn();
        })
        .catch(function (error) {
          status.textContent = R.t("Could not measure: {error}", { error: R.t(error.message) });
        });
    }

    /* The rows' sparklines, in one request; "—" where fewer than two runs are kept. */
    function loadTrends(items) {
      var T = window.ResonanceTrajectory;
      var mine = request;
      if (!T || !items.length) {
        return;
      }
      var query = new URLSearchParams();
      items.forEach(function (item) {
        query.append("ids", item.id);
      });
      R.getJSON("/api/runs/trajectories?" + query.toString())
        .then(function (found) {
          if (mine !== request) {
            return;
          }
          var byId = Object.create(null);
          found.items.forEach(function (entry) {
            byId[entry.user_id] = entry.points;
          });
          Array.prototype.forEach.call(body.rows, function (tr) {
            var cell = tr.querySelector("td.trend");
            var points = byId[tr.dataset.userId] || [];
            R.clear(cell);
            if (points.length < 2) {
              cell.textContent = "—";
              cell.title = points.length ? R.t("One run only") : "";
              return;
            }
            cell.title = T.describe(points);
            cell.appendChild(T.sparkline(points));
          });
        })
        .catch(function () {});
    }

    function row(item) {
      var tr = R.el("tr");
      tr.dataset.userId = item.id;
      tr.appendChild(R.el("td", "num", item.rank));
      tr.appendChild(R.el("td", "trend"));
      var handle = R.el("td", "handle");
      var link = R.el("a", null, R.at(item.handle));
      link.href = "/?focus=" + encodeURIComponent(item.id);
      link.title = R.t("Show in the network");
      handle.appendChild(link);
      tr.appendChild(handle);
      tr.appendChild(R.el("td", null, item.name));
      tr.appendChild(R.el("td", "num", R.formatScore(item.score)));
      tr.appendChild(R.el("td", "role", item.role ? R.t(item.role.replace(/_/g, " ")) : "—"));
      tr.appendChild(R.el("td", "num", item.community === null ? "—" : item.community));
      tr.appendChild(R.el("td", "num", R.number(item.amplifiers)));
      tr.appendChild(R.el("td", "num", item.followers === null ? "—" : R.number(item.followers)));
      tr.appendChild(R.el("td", null, (item.topics || []).join(", ")));
      var share = tr.appendChild(R.el("td", "num in-target", "—"));
      share.dataset.share = "";
      var cell = R.el("td", "shortlist-col");
      cell.hidden = !shortlists;
      var pick = R.el("input");
      pick.type = "checkbox";
      pick.dataset.action = "select";
      pick.checked = Boolean(selected[item.id]);
      pick.hidden = !shortlists;
      pick.setAttribute("aria-label", R.t("Select {handle}", { handle: R.at(item.handle) }));
      pick.addEventListener("change", function () {
        if (pick.checked) {
          selected[item.id] = true;
        } else {
          delete selected[item.id];
        }
        showSelected();
      });
      cell.appendChild(pick);
      var add = R.el("button", "button quiet", R.t("Add to shortlist"));
      add.type = "button";
      add.dataset.action = "shortlist";
      add.hidden = !shortlists;
      add.addEventListener("click", function () {
        document.dispatchEvent(new CustomEvent("resonance:shortlist", { detail: { ids: [item.id], handle: R.at(item.handle) } }));
      });
      cell.appendChild(add);
      tr.appendChild(cell);
      return tr;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
