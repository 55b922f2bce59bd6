/*
 * Resonance runs: the kept analyses (GET /api/runs), and two of them compared: the later run's
 * top N with their earlier standing (GET /api/runs/compare) and the rising voices
 * (GET /api/runs/risers). The form defaults to the two latest runs. Text reaches the DOM
 * through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  function day(value) {
    return value ? String(value).replace("T", " ").replace(/:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/, "") : "—";
  }

  function windowText(run) {
    if (!run.since && !run.until) {
      return "all the data";
    }
    return (run.since ? String(run.since).slice(0, 10) : "…") + " – " + (run.until ? String(run.until).slice(0, 10) : "…");
  }

  function runLabel(run) {
    return day(run.analyzed_at) + " · " + windowText(run) + (run.latest ? " (latest)" : "");
  }

  function roleName(role) {
    return role ? String(role).replace(/_/g, " ") : "—";
  }

  function number(value) {
    return value === null || value === undefined ? "—" : Number(value).toLocaleString("en");
  }

  function rank(value) {
    return value === null || value === undefined ? "—" : "#" + value;
  }

  /* The rank change as a signed number, "new" for an account not ranked before. */
  function changeCell(item) {
    if (item.earlier_rank === null || item.earlier_rank === undefined) {
      return R.el("td", "num up", "new");
    }
    var gain = item.gain || 0;
    return R.el("td", "num" + (gain > 0 ? " up" : gain < 0 ? " down" : ""), gain > 0 ? "+" + gain : gain === 0 ? "=" : String(gain));
  }

  function handleCell(item) {
    var cell = R.el("td", "handle");
    var link = R.el("a", null, R.at(item.handle));
    link.href = "/?focus=" + encodeURIComponent(item.id);
    link.title = "Show in the network";
    cell.appendChild(link);
    return cell;
  }

  function empty(body, columns, text) {
    var cell = R.el("td", "muted", text);
    cell.colSpan = columns;
    body.appendChild(R.el("tr")).appendChild(cell);
  }

  function showRuns(runs) {
    var body = document.querySelector("#runs-table tbody");
    R.clear(body);
    runs.forEach(function (run) {
      var tr = R.el("tr");
      tr.dataset.runId = String(run.id);
      var id = R.el("td", null, run.id);
      if (run.latest) {
        id.appendChild(R.el("span", "badge latest", "latest"));
      }
      tr.appendChild(id);
      tr.appendChild(R.el("td", null, day(run.analyzed_at)));
      tr.appendChild(R.el("td", null, run.profile));
      tr.appendChild(R.el("td", null, windowText(run)));
      tr.appendChild(R.el("td", "num", number(run.ranked)));
      body.appendChild(tr);
    });
    if (!runs.length) {
      empty(body, 5, "No run is kept yet: run an analysis.");
    }
    document.getElementById("runs-summary").textContent = runs.length + " run" + (runs.length === 1 ? "" : "s") + " kept, newest first";
  }

  function fillSelect(select, runs, chosen) {
    R.clear(select);
    runs.forEach(function (run) {
      var option = R.el("option", null, runLabel(run));
      option.value = String(run.id);
      option.selected = run.id === chosen;
      select.appendChild(option);
    });
  }

  /* A row of an account's move between the runs: its rank, handle and earlier rank. */
  function reasonsCell(item) {
    // What the later run says of the account that the earlier did not, and what it dropped.
    var cell = R.el("td", "reasons");
    var list = cell.appendChild(R.el("ul", "changes"));
    (item.reasons_gained || []).forEach(function (reason) {
      list.appendChild(R.el("li", "gained", "+ " + reason));
    });
    (item.reasons_lost || []).forEach(function (reason) {
      list.appendChild(R.el("li", "lost", "\u2212 " + reason));
    });
    return cell;
  }

  function movementRow(item) {
    var tr = R.el("tr");
    tr.dataset.userId = item.id;
    tr.appendChild(R.el("td", "num", rank(item.rank)));
    tr.appendChild(handleCell(item));
    tr.appendChild(R.el("td", "num", rank(item.earlier_rank)));
    return tr;
  }

  function showCompare(result, body) {
    R.clear(body);
    result.items.forEach(function (item) {
      var tr = movementRow(item);
      tr.appendChild(changeCell(item));
      tr.appendChild(R.el("td", "role", roleName(item.earlier_role)));
      tr.appendChild(R.el("td", "role", roleName(item.role)));
      tr.appendChild(R.el("td", "num", number(item.earlier_amplifiers)));
      tr.appendChild(R.el("td", "num", number(item.amplifiers)));
      tr.appendChild(reasonsCell(item));
      body.appendChild(tr);
    });
    if (!result.items.length) {
      empty(body, 9, "The later run ranked no one.");
    }
  }

  function showRisers(result, body) {
    R.clear(body);
    result.items.forEach(function (item) {
      var tr = movementRow(item);
      tr.appendChild(R.el("td", "num up", "+" + item.gain));
      tr.appendChild(R.el("td", "role", roleName(item.role)));
      tr.appendChild(R.el("td", "num", number(item.amplifiers)));
      body.appendChild(tr);
    });
    if (!result.items.length) {
      empty(body, 6, "No account with that audience climbed.");
    }
  }

  function start() {
    var form = document.getElementById("compare-form");
    if (!R || !form) {
      return;
    }
    var status = form.querySelector("[data-field='status']");
    var compareCard = document.getElementById("compare-card");
    var risersCard = document.getElementById("risers-card");
    var byId = {};
    var request = 0;

    function compare() {
      var from = form.elements.namedItem("from").value;
      var to = form.elements.namedItem("to").value;
      var pair = new URLSearchParams({ from: from, to: to });
      var compared = new URLSearchParams(pair);
      compared.set("top", form.elements.namedItem("top").value);
      var rising = new URLSearchParams(pair);
      rising.set("limit", form.elements.namedItem("limit").value);
      rising.set("min_audience", form.elements.namedItem("min_audience").value);
      var mine = ++request;
      status.textContent = "Comparing…";
      Promise.all([
        R.send("GET", "/api/runs/compare?" + compared.toString()),
        R.send("GET", "/api/runs/risers?" + rising.toString()),
      ]).then(
        function (results) {
          if (mine !== request) {
            return;
          }
          var earlier = byId[results[0].from];
          var later = byId[results[0].to];
          var between = (earlier ? runLabel(earlier) : results[0].from) + " → " + (later ? runLabel(later) : results[0].to);
          compareCard.querySelector("[data-field='compare-heading']").textContent =
            "Top " + compared.get("top") + " of the later run: " + between;
          risersCard.querySelector("[data-field='risers-heading']").textContent =
            "Rising voices: " + between;
          showCompare(results[0], document.querySelector("#compare-table tbody"));
          showRisers(results[1], document.querySelector("#risers-table tbody"));
          compareCard.hidden = false;
          risersCard.hidden = false;
          status.textContent = "";
        },
        function (error) {
          if (mine === request) {
            status.textContent = "Could not compare: " + error.message;
          }
        }
      );
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      compare();
    });

    R.getJSON("/api/runs")
      .then(function (runs) {
        runs.forEach(function (run) {
          byId[run.id] = run;
        });
        showRuns(runs);
        if (runs.length < 2) {
          form.hidden = true;
          document.getElementById("runs-summary").textContent += "; two are needed to compare.";
          return;
        }
        fillSelect(form.elements.namedItem("from"), runs, runs[1].id);
        fillSelect(form.elements.namedItem("to"), runs, runs[0].id);
        compare();
      })
      .catch(function (error) {
        document.getElementById("runs-summary").textContent = "Could not load the runs: " + error.message;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
