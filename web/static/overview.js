/*
 * Resonance overview: topics by community (a heatmap table from /api/communities), the score
 * distribution and role counts (totals from /api/influencers) drawn as small inline SVG bar
 * charts. Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var svg = R.svg;

  function total(query) {
    return R.getJSON("/api/influencers?limit=1&" + query).then(function (page) {
      return page.total;
    });
  }

  /* A vertical bar chart of values with labels under the bars. */
  function barChart(container, labels, values) {
    R.clear(container);
    var width = 420;
    var height = 200;
    var bottom = 34;
    var top = 16;
    var max = Math.max.apply(null, values.concat([1]));
    var step = width / Math.max(values.length, 1);
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    chart.appendChild(svg("title")).textContent = labels.map(function (label, i) {
      return label + ": " + values[i];
    }).join(", ");
    values.forEach(function (value, i) {
      var barHeight = ((height - bottom - top) * value) / max;
      var x = i * step + step * 0.15;
      var bar = svg("rect", {
        x: x,
        y: height - bottom - barHeight,
        width: step * 0.7,
        height: barHeight,
        rx: 3,
        fill: "#4e79a7",
        "data-value": value,
      });
      chart.appendChild(bar);
      var count = svg("text", { x: x + step * 0.35, y: height - bottom - barHeight - 4, "text-anchor": "middle" });
      count.textContent = String(value);
      chart.appendChild(count);
      var label = svg("text", { x: x + step * 0.35, y: height - bottom + 14, "text-anchor": "middle" });
      label.textContent = labels[i];
      chart.appendChild(label);
    });
    container.appendChild(chart);
  }

  function scores(container) {
    var edges = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    Promise.all(edges.map(function (low) {
      return total("min_score=" + low);
    }))
      .then(function (atLeast) {
        var counts = atLeast.map(function (count, i) {
          return i + 1 < atLeast.length ? count - atLeast[i + 1] : count;
        });
        barChart(container, edges.map(function (low) {
          return low + "–";
        }), counts);
      })
      .catch(function (error) {
        container.textContent = "Could not load: " + error.message;
      });
  }

  function roles(container) {
    var names = (container.dataset.roles || "").split(" ").filter(Boolean);
    Promise.all(names.map(function (role) {
      return total("role=" + encodeURIComponent(role));
    }))
      .then(function (counts) {
        barChart(container, names.map(function (role) {
          return role.replace(/_/g, " ");
        }), counts);
      })
      .catch(function (error) {
        container.textContent = "Could not load: " + error.message;
      });
  }

  function heatmap(table) {
    R.getJSON("/api/communities?limit=200")
      .then(function (page) {
        var topics = [];
        var max = 1;
        page.items.forEach(function (community) {
          community.topics.forEach(function (entry) {
            if (topics.indexOf(entry.topic) < 0) {
              topics.push(entry.topic);
            }
            max = Math.max(max, entry.members);
          });
        });
        topics.sort();
        var head = R.el("tr");
        head.appendChild(R.el("th", null, "Community"));
        head.appendChild(R.el("th", "num", "Size"));
        topics.forEach(function (topic) {
          head.appendChild(R.el("th", null, topic));
        });
        table.tHead.appendChild(head);
        page.items.forEach(function (community) {
          var row = R.el("tr");
          var link = R.el("a", null, "Community " + community.community);
          link.href = "/?community=" + encodeURIComponent(community.community);
          var name = R.el("td");
          name.appendChild(link);
          row.appendChild(name);
          row.appendChild(R.el("td", "num", community.size));
          topics.forEach(function (topic) {
            var found = community.topics.filter(function (entry) {
              return entry.topic === topic;
            })[0];
            var members = found ? found.members : 0;
            var cell = R.el("td", "cell", members || "");
            cell.style.backgroundColor = "rgba(78, 121, 167, " + (0.08 + (0.8 * members) / max).toFixed(2) + ")";
            if (members / max > 0.55) {
              cell.style.color = "#ffffff";
            }
            row.appendChild(cell);
          });
          table.tBodies[0].appendChild(row);
        });
        if (!page.items.length) {
          table.tBodies[0].appendChild(R.el("tr")).appendChild(R.el("td", "muted", "No communities yet."));
        }
      })
      .catch(function (error) {
        table.tBodies[0].appendChild(R.el("tr")).appendChild(R.el("td", "muted", "Could not load: " + error.message));
      });
  }

  function start() {
    if (!R) {
      return;
    }
    var table = document.getElementById("heatmap");
    var scoresChart = document.getElementById("scores-chart");
    var rolesChart = document.getElementById("roles-chart");
    if (table) {
      heatmap(table);
    }
    if (scoresChart) {
      scores(scoresChart);
    }
    if (rolesChart) {
      roles(rolesChart);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
