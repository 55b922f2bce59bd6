/*
 * Resonance trajectories: an account's rank across the kept runs (GET /api/users/{id}/trajectory,
 * GET /api/runs/trajectories) drawn as inline SVG, as the overview draws its charts: a small
 * line chart with axes for the network page's side panel, a sparkline for the influencer table.
 * The rank axis is inverted (1 at the top); a run that did not rank the account breaks the line
 * (a gap). Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var svg = R.svg;

  /* The run's date: the end of its window, else when it was analysed (YYYY-MM-DD). */
  function runDate(point) {
    return String(point.until || point.analyzed_at || point.run).slice(0, 10);
  }

  function isRanked(point) {
    return Boolean(point) && point.rank !== null && point.rank !== undefined;
  }

  function ranked(points) {
    return points.filter(isRanked);
  }

  /* "M x y L x y …" through the ranked points, a new "M" after each gap. */
  function linePath(points, x, y) {
    var path = "";
    var drawing = false;
    points.forEach(function (point, i) {
      if (point.rank === null || point.rank === undefined) {
        drawing = false;
        return;
      }
      path += (drawing ? " L " : (path ? " M " : "M ")) + x(i).toFixed(1) + " " + y(point.rank).toFixed(1);
      drawing = true;
    });
    return path;
  }

  /* The words of a trajectory, for the chart's <title> and the table cell's tooltip. */
  function describe(points) {
    return points.map(function (point) {
      return runDate(point) + ": " + (point.rank === null || point.rank === undefined ? R.t("not ranked") : "#" + point.rank);
    }).join(", ");
  }

  /* A line chart of the rank across `points` (oldest first) into `container`, with the run
     dates under it and the rank scale (1 at the top) beside it. */
  function drawChart(container, points) {
    while (container.firstChild) {
      container.removeChild(container.firstChild);
    }
    var width = 268;
    var height = 150;
    var left = 34;
    var right = 12;
    var top = 12;
    var bottom = 34;
    var found = ranked(points);
    var worst = Math.max.apply(null, found.map(function (point) { return point.rank; }).concat([2]));
    var step = (width - left - right) / Math.max(points.length - 1, 1);
    function x(i) {
      return points.length === 1 ? (left + width - right) / 2 : left + i * step;
    }
    function y(rank) {
      return top + ((height - top - bottom) * (rank - 1)) / (worst - 1);
    }
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", class: "rank-chart" });
    chart.appendChild(svg("title")).textContent = R.t("Rank across runs: {points}", { points: describe(points) });
    [1, worst].forEach(function (rank) {
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: y(rank), y2: y(rank), class: "grid" }));
      var label = svg("text", { x: left - 6, y: y(rank) + 4, "text-anchor": "end", class: "axis" });
      label.textContent = "#" + rank;
      chart.appendChild(label);
    });
    var path = linePath(points, x, y);
    if (path) {
      chart.appendChild(svg("path", { d: path, class: "line", fill: "none" }));
    }
    var every = Math.max(1, Math.ceil(points.length / 4));
    points.forEach(function (point, i) {
      var unranked = point.rank === null || point.rank === undefined;
      if (unranked) {
        chart.appendChild(svg("line", {
          x1: x(i), x2: x(i), y1: height - bottom - 6, y2: height - bottom, class: "gap",
          "data-run": point.run,
        })).appendChild(svg("title")).textContent = runDate(point) + ": not ranked";
      } else {
        chart.appendChild(svg("circle", {
          cx: x(i), cy: y(point.rank), r: 3.5, class: "point", "data-run": point.run, "data-rank": point.rank,
        })).appendChild(svg("title")).textContent = runDate(point) + ": #" + point.rank;
      }
      if (i % every === 0 || i === points.length - 1) {
        var anchor = points.length === 1 ? "middle" : i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
        var date = svg("text", { x: x(i), y: height - bottom + 16, "text-anchor": anchor, class: "axis date" });
        date.textContent = runDate(point);
        chart.appendChild(date);
      }
    });
    container.appendChild(chart);
    return chart;
  }

  /* A sparkline of the rank across `points`: no axes, the latest ranked point marked. */
  function sparkline(points) {
    var width = 72;
    var height = 20;
    var pad = 3;
    var found = ranked(points);
    var best = Math.min.apply(null, found.map(function (point) { return point.rank; }).concat([Infinity]));
    var worst = Math.max.apply(null, found.map(function (point) { return point.rank; }).concat([-Infinity]));
    var span = Math.max(worst - best, 1);
    var step = (width - 2 * pad) / Math.max(points.length - 1, 1);
    function x(i) {
      return pad + i * step;
    }
    function y(rank) {
      return found.length && worst === best ? height / 2 : pad + ((height - 2 * pad) * (rank - best)) / span;
    }
    var chart = svg("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img", class: "sparkline",
      "data-points": points.length, "data-ranked": found.length,
    });
    chart.appendChild(svg("title")).textContent = R.t("Rank across runs: {points}", { points: describe(points) });
    var path = linePath(points, x, y);
    if (path) {
      chart.appendChild(svg("path", { d: path, class: "line", fill: "none" }));
    }
    // The latest ranked point, and any point between two gaps (a line cannot show it).
    points.forEach(function (point, i) {
      var isolated = !isRanked(points[i - 1]) && !isRanked(points[i + 1]);
      if (isRanked(point) && (point === found[found.length - 1] || isolated)) {
        chart.appendChild(svg("circle", { cx: x(i), cy: y(point.rank), r: 2, class: "point" }));
      }
    });
    return chart;
  }

  window.ResonanceTrajectory = { drawChart: drawChart, sparkline: sparkline, describe: describe, runDate: runDate };
})();
