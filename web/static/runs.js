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
    return R.date(value);
  }

  function windowText(run) {
    if (!run.since && !run.until) {
      return R.t("all the data");
    }
    return (run.since ? R.date(String(run.since).slice(0, 10)) : "…") + " – " + (run.until ? R.date(String(run.until).slice(0, 10)) : "…");
  }

  function runLabel(run) {
    return day(run.analyzed_at) + " · " + windowText(run) + (run.latest ? " " + R.t("(latest)") : "");
  }

  var M = window.ResonanceMovements;
  var number = M.number;
  var empty = M.empty;

  function showRuns(runs) {
    var body = document.querySelector("#runs-table tbody");
    R.clear(body);
    runs.forEach(function (run) {
      var tr = R.el("tr");
      tr.dataset.runId = String(run.id);
      var id = R.el("td", null, run.id);
      if (run.latest) {
        id.appendChild(R.el("span", "badge latest", R.t("latest")));
      }
      tr.appendChild(id);
      tr.appendChild(R.el("td", null, day(run.analyzed_at)));
      tr.appendChild(R.el("td", null, run.profile));
      tr.appendChild(R.el("td", null, windowText(run)));
      tr.appendChild(R.el("td", "num", number(run.ranked)));
      body.appendChild(tr);
    });
    if (!runs.length) {
      empty(body, 5, R.t("No run is kept yet: run an analysis."));
    }
    document.getElementById("runs-summary").textContent = R.plural(runs.length, "{count} run kept, newest first", "{count} runs kept, newest first");
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
      status.textContent = R.t("Comparing…");
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
            R.t("Top {top} of the later run: {between}", { top: compared.get("top"), between: between });
          risersCard.querySelector("[data-field='risers-heading']").textContent =
            R.t("Rising voices: {between}", { between: between });
          M.showCompare(results[0], document.querySelector("#compare-table tbody"));
          M.showRisers(results[1], document.querySelector("#risers-table tbody"));
          compareCard.hidden = false;
          risersCard.hidden = false;
          status.textContent = "";
        },
        function (error) {
          if (mine === request) {
            status.textContent = R.t("Could not compare: {error}", { error: R.t(error.message) });
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
          document.getElementById("runs-summary").textContent += R.t("; two are needed to compare.");
          return;
        }
        fillSelect(form.elements.namedItem("from"), runs, runs[1].id);
        fillSelect(form.elements.namedItem("to"), runs, runs[0].id);
        compare();
      })
      .catch(function (error) {
        document.getElementById("runs-summary").textContent = R.t("Could not load the runs: {error}", { error: R.t(error.message) });
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
