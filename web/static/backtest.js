/*
 * Resonance backtest: the form starts POST /api/jobs/backtest, the job is polled (with its
 * Cancel), and its report is drawn as a table and an inline SVG bar chart of NDCG@k per ranking
 * on both outcomes, as the overview draws its charts. Text reaches the DOM through textContent
 * only.
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var svg = R.svg;
  var OUTCOMES = [
    { key: "amplifiers", label: R.t("distinct amplifiers"), fill: "#4e79a7" },
    { key: "reach", label: R.t("two-step reach"), fill: "#f28e2b" },
  ];
  var MAX_LABEL = 28;

  var DECIMAL = (1.5).toLocaleString(R.locale).charAt(1);

  /* toFixed's rounding (as the server's reports), with the page's decimal mark. */
  function fixed(value, digits) {
    return Number(value).toFixed(digits).replace(".", DECIMAL);
  }

  function short(text) {
    return text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1) + "…" : text;
  }

  /* Horizontal bars: one group per ranking, a bar per outcome, the value at its end. */
  function drawChart(container, methods) {
    R.clear(container);
    var width = 640;
    var labelWidth = 190;
    var valueWidth = 48;
    var bar = 14;
    var group = OUTCOMES.length * bar + 14;
    var top = 26;
    var height = top + methods.length * group;
    var max = 0.05;
    methods.forEach(function (method) {
      OUTCOMES.forEach(function (outcome) {
        max = Math.max(max, method["ndcg_" + outcome.key]);
      });
    });
    var scale = (width - labelWidth - valueWidth) / max;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    chart.appendChild(svg("title")).textContent = methods.map(function (method) {
      return R.t(method.method) + ": " + OUTCOMES.map(function (outcome) {
        return outcome.label + " " + fixed(method["ndcg_" + outcome.key], 3);
      }).join(", ");
    }).join("; ");
    OUTCOMES.forEach(function (outcome, i) {
      var x = labelWidth + i * 170;
      chart.appendChild(svg("rect", { x: x, y: 6, width: 12, height: 12, rx: 2, fill: outcome.fill }));
      chart.appendChild(svg("text", { x: x + 18, y: 16 })).textContent = "NDCG " + outcome.label;
    });
    methods.forEach(function (method, row) {
      var y = top + row * group;
      var name = svg("text", { x: labelWidth - 8, y: y + bar + 4, "text-anchor": "end" });
      name.textContent = short(R.t(method.method));
      chart.appendChild(name);
      OUTCOMES.forEach(function (outcome, i) {
        var value = method["ndcg_" + outcome.key];
        var barY = y + i * bar;
        chart.appendChild(svg("rect", {
          x: labelWidth,
          y: barY,
          width: Math.max(value * scale, 1),
          height: bar - 2,
          rx: 2,
          fill: outcome.fill,
          "data-value": value,
          "data-outcome": outcome.key,
        }));
        var label = svg("text", { x: labelWidth + value * scale + 4, y: barY + bar - 3 });
        label.textContent = fixed(value, 3);
        chart.appendChild(label);
      });
    });
    container.appendChild(chart);
  }

  function drawTable(body, methods) {
    R.clear(body);
    methods.forEach(function (method) {
      var row = R.el("tr");
      row.appendChild(R.el("td", null, R.t(method.method)));
      row.appendChild(R.el("td", "num", fixed(method.ndcg_amplifiers, 3)));
      row.appendChild(R.el("td", "num", fixed(method.precision_amplifiers, 2)));
      row.appendChild(R.el("td", "num", fixed(method.ndcg_reach, 3)));
      row.appendChild(R.el("td", "num", fixed(method.precision_reach, 2)));
      body.appendChild(row);
    });
  }

  /* "resonance (default) scores 1.23 times the best baseline's NDCG@100 on …", in words. */
  function verdict(report) {
    var ours = report.methods[0];
    var others = report.methods.slice(1);
    var parts = OUTCOMES.map(function (outcome) {
      var key = "ndcg_" + outcome.key;
      var best = others.reduce(function (found, method) {
        return !found || method[key] > found[key] ? method : found;
      }, null);
      if (!best || best[key] <= 0) {
        return R.t("on {outcome} every baseline scored 0 (the profile {ours})", { outcome: outcome.label, ours: fixed(ours[key], 3) });
      }
      return R.t("{ratio} times the best baseline on {outcome} ({ours} against {best} by {method})", {
        ratio: fixed(ours[key] / best[key], 2),
        outcome: outcome.label,
        ours: fixed(ours[key], 3),
        best: fixed(best[key], 3),
        method: R.t(best.method),
      });
    });
    return R.t("{method} scores NDCG@{k} {parts}.", { method: R.t(ours.method), k: report.k, parts: parts.join(R.t("; and ")) });
  }

  function show(report) {
    var result = document.getElementById("backtest-result");
    var chartCard = document.getElementById("backtest-chart-card");
    result.querySelector("[data-field='heading']").textContent =
      R.t("What happened next: NDCG@{k} and precision@{k}", { k: report.k });
    result.querySelector("[data-field='summary']").textContent =
      R.t("Split {split}, horizon {horizon}: {before} events before, {after} after; {accounts} accounts with an audience before the split.", {
        split: report.split,
        horizon: report.horizon || R.t("the end of the data"),
        before: R.number(report.events_before),
        after: R.number(report.events_after),
        accounts: R.number(report.accounts),
      });
    result.querySelector("[data-field='verdict']").textContent = verdict(report);
    drawTable(document.querySelector("#backtest-table tbody"), report.methods);
    chartCard.querySelector("[data-field='chart-heading']").textContent = R.t("NDCG@{k} per ranking", { k: report.k });
    result.hidden = false;
    chartCard.hidden = false;
    drawChart(document.getElementById("backtest-chart"), report.methods);
  }

  function poll(jobId, progress) {
    return R.pollJob(jobId, 400, function (job) {
      progress.textContent = R.t("Backtesting: {percent}% {message}", { percent: Math.round(100 * (job.progress || 0)), message: R.t(job.message || "") });
    }).then(function (job) {
      return job.result;
    });
  }

  function start() {
    var form = document.getElementById("backtest-form");
    if (!R || !form) {
      return;
    }
    var submit = form.querySelector("button[type='submit']");
    var cancel = form.querySelector("[data-action='cancel-job']");
    var progress = form.querySelector("[data-field='progress']");
    function ended() {
      submit.disabled = false;
      cancel.hidden = true;
      cancel.onclick = null;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var horizon = form.elements.horizon.value.trim();
      var body = {
        split: form.elements.split.value.trim(),
        horizon: horizon ? Number(horizon) : null,
        k: Number(form.elements.k.value),
        profile: form.elements.profile.value,
      };
      submit.disabled = true;
      progress.textContent = R.t("Starting…");
      R.send("POST", "/api/jobs/backtest", body)
        .then(function (job) {
          cancel.disabled = false;
          cancel.hidden = false;
          cancel.onclick = function () {
            cancel.disabled = true;
            progress.textContent = R.t("Cancelling…");
            R.cancelJob(job.id).catch(function (error) {
              progress.textContent = R.t("Could not cancel: {error}", { error: R.t(error.message) });
            });
          };
          return poll(job.id, progress);
        })
        .then(
          function (report) {
            ended();
            progress.textContent = R.t("Done.");
            show(report);
          },
          function (error) {
            ended();
            progress.textContent = error.cancelled ? R.t("Cancelled.") : R.t("The backtest failed: {error}", { error: R.t(error.message) });
          }
        );
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
