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

  /* A horizontal bar chart: one row per value, its label left of the bar and its count at
     the bar's end (or `texts[i]`), so that labels never overlap however many or long they
     are. */
  function barChart(container, labels, values, texts) {
    R.clear(container);
    var width = 420;
    var row = 24;
    var labelWidth = 130;
    var countWidth = 52;
    var height = row * Math.max(values.length, 1) + 8;
    var max = Math.max.apply(null, values.concat([1]));
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img" });
    chart.appendChild(svg("title")).textContent = labels.map(function (label, i) {
      return label + ": " + (texts ? texts[i] : values[i]);
    }).join(", ");
    values.forEach(function (value, i) {
      var y = 4 + i * row;
      var barWidth = ((width - labelWidth - countWidth) * value) / max;
      var label = svg("text", { x: labelWidth - 8, y: y + row * 0.62, "text-anchor": "end", class: "bar-label" });
      label.textContent = labels[i];
      chart.appendChild(label);
      chart.appendChild(svg("rect", {
        x: labelWidth,
        y: y + 3,
        width: Math.max(barWidth, value ? 1 : 0),
        height: row - 6,
        rx: 3,
        fill: "#4e79a7",
        "data-value": value,
      }));
      var count = svg("text", { x: labelWidth + barWidth + 6, y: y + row * 0.62, class: "bar-count" });
      count.textContent = texts ? texts[i] : R.number(value);
      chart.appendChild(count);
    });
    container.appendChild(chart);
  }

  /* The score distribution by percentile of the ranked accounts: the score reached by the
     top 1%, 5%, 10%, ... drawn on a log scale (floored at 0.001). Scores are relative to the
     top account (100) and heavy-tailed: on linear bands of ten, nine accounts in ten sat in
     the lowest, and most are below 0.001. */
  var SHARES = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1];
  var FLOOR = 0.001;

  function logLength(score) {
    return Math.log10(1 + Math.max(score, 0) / FLOOR) / Math.log10(1 + 100 / FLOOR);
  }

  function scores(container) {
    R.getJSON("/api/influencers?limit=1")
      .then(function (first) {
        var ranked = first.total;
        return Promise.all(SHARES.map(function (share) {
          var offset = Math.max(0, Math.ceil(share * ranked) - 1);
          return ranked ? R.getJSON("/api/influencers?limit=1&offset=" + offset) : { items: [] };
        }));
      })
      .then(function (pages) {
        var reached = pages.map(function (page) {
          return page.items.length ? page.items[0].score : 0;
        });
        barChart(container, SHARES.map(function (share) {
          return share === 1 ? R.t("all ranked") : R.t("top {percent}%", { percent: Math.round(share * 100) });
        }), reached.map(logLength), reached.map(function (score) {
          return "≥ " + R.formatScore(score);
        }));
      })
      .catch(function (error) {
        container.textContent = R.t("Could not load: {error}", { error: R.t(error.message) });
      });
  }

  function roles(container) {
    var names = (container.dataset.roles || "").split(" ").filter(Boolean);
    Promise.all(names.map(function (role) {
      return total("role=" + encodeURIComponent(role));
    }))
      .then(function (counts) {
        barChart(container, names.map(function (role) {
          return R.t(role.replace(/_/g, " "));
        }), counts);
      })
      .catch(function (error) {
        container.textContent = R.t("Could not load: {error}", { error: R.t(error.message) });
      });
  }

  /* The community's label (its name, else its top topics and voice), linked to its network,
     with a form to name it (PUT /api/communities/{c}/name; an empty name forgets it). */
  function nameCell(community) {
    var cell = R.el("td", "community-name");
    var link = cell.appendChild(R.el("a", null, community.label ? R.t(community.label) : R.t("Community {number}", { number: community.community })));
    link.href = "/?community=" + encodeURIComponent(community.community);
    link.title = R.t("Community {number}", { number: community.community });
    var form = cell.appendChild(R.el("form", "rename"));
    var input = form.appendChild(R.el("input"));
    input.name = "name";
    input.maxLength = 80;
    input.placeholder = R.t("Name it");
    input.value = community.name || "";
    input.setAttribute("aria-label", R.t("Name of community {number}", { number: community.community }));
    var save = form.appendChild(R.el("button", "button quiet", R.t("Save the name")));
    save.type = "submit";
    var status = form.appendChild(R.el("span", "muted"));
    status.setAttribute("aria-live", "polite");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = "/api/communities/" + encodeURIComponent(community.community) + "/name";
      var name = input.value.trim();
      var sent = name ? R.send("PUT", url, { name: name }) : R.send("DELETE", url);
      status.textContent = R.t("Saving…");
      sent.then(function () {
        return R.getJSON("/api/communities/" + encodeURIComponent(community.community) + "?limit=1");
      }).then(function (found) {
        link.textContent = R.t(found.label);
        status.textContent = R.t("Saved");
      }).catch(function (error) {
        status.textContent = R.t("Not saved: {error}", { error: R.t(error.message) });
      });
    });
    return cell;
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
        head.appendChild(R.el("th", null, R.t("Community")));
        head.appendChild(R.el("th", "num", R.t("Size")));
        topics.forEach(function (topic) {
          head.appendChild(R.el("th", null, topic));
        });
        table.tHead.appendChild(head);
        page.items.forEach(function (community) {
          var row = R.el("tr");
          row.dataset.community = String(community.community);
          row.appendChild(nameCell(community));
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
          table.tBodies[0].appendChild(R.el("tr")).appendChild(R.el("td", "muted", R.t("No communities yet.")));
        }
      })
      .catch(function (error) {
        table.tBodies[0].appendChild(R.el("tr")).appendChild(R.el("td", "muted", R.t("Could not load: {error}", { error: R.t(error.message) })));
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
