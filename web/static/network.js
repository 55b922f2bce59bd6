/*
 * Resonance network page: draws the graph embedded in <script id="graph-data"> with vis-network,
 * explains the selected account from /api/users/{id}, expands its neighbours from
 * /api/users/{id}/network, finds handles and reloads the view with filters.
 * User text only ever reaches the DOM through textContent (never innerHTML); tooltips are
 * plain strings, which vis-network shows as text.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  function start() {
    var source = document.getElementById("graph-data");
    var container = document.getElementById("network");
    var progress = document.getElementById("progress");
    var panel = document.getElementById("details");
    if (!source || !container || !panel || !R) {
      return;
    }
    var view = JSON.parse((document.getElementById("view-data") || {}).textContent || "{}");
    var filters = document.getElementById("filters");
    if (filters) {
      wireFilters(filters);
    }
    drawLegend(document.getElementById("legend"), view.legend || []);
    if (typeof vis === "undefined" || !vis.Network) {
      showProgress(progress, R.t("The network view could not load (vis-network is missing)."));
      return;
    }

    var graph = JSON.parse(source.textContent || "{}");
    var nodeList = Array.isArray(graph.nodes) ? graph.nodes : [];
    var edgeList = Array.isArray(graph.edges) ? graph.edges : [];
    var nodes = new vis.DataSet(nodeList);
    var edges = new vis.DataSet(edgeList);
    var edgeKeys = new Set();
    edgeList.forEach(function (edge) {
      edgeKeys.add(edge.from + "\u0000" + edge.to);
    });
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, graph.options || {});
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-node-id]"));
    var current = null;
    var request = 0;
    var trajectoryRequest = 0;
    var readingRequest = 0;
    window.__resonanceNetwork = { network: network, nodes: nodes, edges: edges };

    /* Labels: the LABELLED largest nodes at the fitted view (skipping any whose label would
       overlap a larger one's), more as one zooms in (with the square of the zoom), every one past ZOOMED or four times the fitted scale; any other when hovered or selected (150
       labels at once piled into an unreadable mass). Each node keeps its handle in `handle`,
       which the search and the edges' titles read. */
    var LABELLED = 8;
    var ZOOMED = 1.6;
    var fitted = null;  // the scale of the settled, fitted view
    var zoomedIn = false;
    var hovered = null;
    var labelled = new Set();
    function shows(id) {
      return zoomedIn || labelled.has(id) || id === hovered || id === current;
    }
    function relabel() {
      var all = nodes.get();
      all.forEach(function (node) {
        if (node.handle === undefined) {
          node.handle = node.label;
        }
      });
      labelled = pickLabelled(all, labelCount());
      nodes.update(all.map(function (node) {
        return { id: node.id, handle: node.handle, label: shows(node.id) ? node.handle : "" };
      }));
      readable();
    }
    /* The largest nodes' labels stay readable (12 px on screen) however far out the view is. */
    function readable() {
      var scale = Math.max(network.getScale(), 0.05);
      nodes.update(Array.from(labelled).map(function (id) {
        var node = nodes.get(id);
        if (node.baseFont === undefined) {
          node.baseFont = (node.font && node.font.size) || 14;
        }
        return { id: id, baseFont: node.baseFont, font: { size: Math.min(Math.max(node.baseFont, 12 / scale), 80) } };
      }));
    }
    /* The largest nodes, up to `count`, whose labels (about 12 px, under the node) do not
       overlap a larger node's on screen. */
    function pickLabelled(all, count) {
      var positions = network.getPositions(all.map(function (node) { return node.id; }));
      var scale = network.getScale();
      var boxes = [];
      var chosen = new Set();
      all.slice().sort(function (a, b) {
        return (b.size || 0) - (a.size || 0);
      }).forEach(function (node) {
        var at = positions[node.id];
        if (chosen.size >= count || !at) {
          return;
        }
        var centre = network.canvasToDOM(at);
        var width = String(node.handle || "").length * 7.2;
        var top = centre.y + (node.size || 10) * scale + 2;
        var box = { left: centre.x - width / 2, right: centre.x + width / 2, top: top, bottom: top + 16 };
        var clear = boxes.every(function (other) {
          return box.right < other.left || box.left > other.right || box.bottom < other.top || box.top > other.bottom;
        });
        if (clear) {
          boxes.push(box);
          chosen.add(node.id);
        }
      });
      return chosen;
    }
    function labelCount() {
      var zoom = fitted ? network.getScale() / fitted : 1;
      return Math.max(LABELLED, Math.round(LABELLED * zoom * zoom));
    }
    function showLabel(id, on) {
      var node = nodes.get(id);
      if (node) {
        nodes.update({ id: id, label: on || shows(id) ? node.handle : "" });
      }
    }
    relabel();
    network.setOptions({ interaction: { hover: true } });
    network.on("zoom", function () {
      var scale = network.getScale();
      var now = scale >= ZOOMED || (fitted !== null && scale >= 4 * fitted);
      if (now !== zoomedIn || labelCount() !== labelled.size) {
        zoomedIn = now;
        relabel();
      } else {
        readable();
      }
    });
    network.on("dragEnd", function () {
      if (!zoomedIn) {
        relabel();
      }
    });
    network.on("hoverNode", function (params) {
      hovered = params.node;
      showLabel(params.node, true);
    });
    network.on("blurNode", function (params) {
      hovered = null;
      showLabel(params.node, false);
    });

    network.on("stabilizationProgress", function (params) {
      var percent = Math.round((100 * params.iterations) / Math.max(params.total, 1));
      showProgress(progress, R.t("Laying out the network… {percent}%", { percent: percent }));
    });
    network.once("stabilizationIterationsDone", function () {
      if (progress) {
        progress.hidden = true;
      }
      // Keep the settled layout still; dragging a node then moves just that node.
      network.setOptions({ physics: { enabled: false } });
      fitted = network.getScale();
      relabel();
    });

    wirePngDownload(document.getElementById("png-download"), container);

    network.on("click", function (params) {
      if (params.nodes.length > 0) {
        select(String(params.nodes[0]), false);
      } else if (params.edges.length === 0) {
        clear();
      }
    });

    rows.forEach(function (row) {
      row.addEventListener("click", function () {
        select(row.dataset.nodeId, true);
      });
      row.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(row.dataset.nodeId, true);
        }
      });
    });

    var closeButton = panel.querySelector("[data-action='close-details']");
    if (closeButton) {
      closeButton.addEventListener("click", clear);
    }
    var expandButton = panel.querySelector("[data-action='expand']");
    if (expandButton) {
      expandButton.addEventListener("click", function () {
        if (current) {
          expand(current);
        }
      });
    }
    var shortlistButton = panel.querySelector("[data-action='shortlist']");
    if (shortlistButton) {
      shortlistButton.hidden = window.RESONANCE_SHORTLISTS !== true;
      shortlistButton.addEventListener("click", function () {
        var node = current ? nodes.get(current) : null;
        if (node) {
          var info = node.info || {};
          document.dispatchEvent(
            new CustomEvent("resonance:shortlist", { detail: { ids: [current], handle: R.at(info.handle) } })
          );
        }
      });
    }
    wireSearch();

    if (view.focus) {
      if (nodes.get(view.focus)) {
        select(view.focus, true);
      } else {
        expand(view.focus).then(function () {
          select(view.focus, true);
        });
      }
    }

    function select(id, focus) {
      var node = nodes.get(id);
      if (!node) {
        return;
      }
      var before = current;
      current = id;
      if (before !== null && before !== id) {
        showLabel(before, false);
      }
      showLabel(id, true);
      network.selectNodes([id]);
      if (focus) {
        network.focus(id, { scale: 1.1, animation: { duration: 450, easingFunction: "easeInOutQuad" } });
      }
      showSummary(panel, node.info || {});
      loadExplanation(id);
      loadTrajectory(id);
      loadReading(id);
      rows.forEach(function (row) {
        var match = row.dataset.nodeId === id;
        row.classList.toggle("selected", match);
        if (match && !focus) {
          row.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function clear() {
      var before = current;
      current = null;
      if (before !== null) {
        showLabel(before, false);
      }
      network.unselectAll();
      panel.hidden = true;
      rows.forEach(function (row) {
        row.classList.remove("selected");
      });
    }

    function loadExplanation(id) {
      var mine = ++request;
      setField(panel, "status", R.t("Loading the explanation…"));
      clearLists(panel);
      R.getJSON("/api/users/" + encodeURIComponent(id))
        .then(function (detail) {
          if (mine === request) {
            showExplanation(panel, detail, select);
            setField(panel, "status", "");
          }
        })
        .catch(function (error) {
          if (mine === request) {
            setField(panel, "status", R.t("No explanation: {error}", { error: R.t(error.message) }));
          }
        });
    }

    /* The rank across the kept runs as a small chart (trajectory.js); with one run kept, a
       note instead; hidden with none, or when it cannot load. */
    function loadTrajectory(id) {
      var mine = ++trajectoryRequest;
      var section = panel.querySelector("#trajectory");
      var T = window.ResonanceTrajectory;
      if (!section || !T) {
        return;
      }
      var chart = section.querySelector("[data-field='trajectory-chart']");
      var note = section.querySelector("[data-field='trajectory-note']");
      section.hidden = true;
      R.clear(chart);
      R.getJSON("/api/users/" + encodeURIComponent(id) + "/trajectory")
        .then(function (found) {
          if (mine !== trajectoryRequest) {
            return;
          }
          var points = found.points || [];
          if (!points.length) {
            return;
          }
          if (points.length < 2) {
            note.textContent = R.t("One run only: the trajectory shows once two runs are kept.");
          } else {
            T.drawChart(chart, points);
            var ranked = points.filter(function (point) {
              return point.rank !== null;
            }).length;
            var counts = { ranked: ranked, runs: points.length };
            note.textContent = ranked < points.length
              ? R.t("Ranked in {ranked} of {runs} kept runs; a gap is a run that did not rank it.", counts)
              : R.t("Ranked in {ranked} of {runs} kept runs.", counts);
          }
          section.hidden = false;
        })
        .catch(function () {});
    }

    /* What to read and whom to follow for the account (reading.js); a voice in the view is
       selected there, another one opened as the focus of a new view. */
    function loadReading(id) {
      var mine = ++readingRequest;
      var section = panel.querySelector("#reading");
      var Reading = window.ResonanceReading;
      if (!section || !Reading) {
        return;
      }
      section.hidden = true;
      R.getJSON("/api/users/" + encodeURIComponent(id) + "/reading")
        .then(function (found) {
          if (mine !== readingRequest) {
            return;
          }
          Reading.draw(section.querySelector("[data-field='reading-list']"), found, function (voice) {
            if (nodes.get(voice)) {
              select(voice, true);
            } else {
              window.location.assign("/?focus=" + encodeURIComponent(voice));
            }
          });
          section.hidden = false;
        })
        .catch(function () {});
    }

    function expand(id) {
      setField(panel, "status", R.t("Expanding neighbours…"));
      var url = "/api/users/" + encodeURIComponent(id) + "/network?depth=1&limit=60";
      return R.getJSON(url)
        .then(function (ego) {
          var added = addNeighbours(ego, id);
          setField(panel, "status", added + " account" + (added === 1 ? "" : "s") + " added");
          if (id === current) {
            network.selectNodes([id]);
          }
        })
        .catch(function (error) {
          setField(panel, "status", R.t("Could not expand: {error}", { error: R.t(error.message) }));
        });
    }

    function addNeighbours(ego, centreId) {
      var centre = nodes.get(centreId);
      var origin = centre ? network.getPosition(centreId) : { x: 0, y: 0 };
      var fresh = (ego.nodes || []).filter(function (item) {
        return !nodes.get(item.id);
      });
      var radius = 120 + 12 * Math.sqrt(fresh.length);
      var made = fresh.map(function (item, index) {
        var node = makeNode(item, view);
        var angle = (2 * Math.PI * index) / Math.max(fresh.length, 1);
        node.x = origin.x + radius * Math.cos(angle);
        node.y = origin.y + radius * Math.sin(angle);
        return node;
      });
      nodes.add(made);
      var links = [];
      (ego.edges || []).forEach(function (edge) {
        var key = edge.source + "\u0000" + edge.target;
        if (!edgeKeys.has(key) && nodes.get(edge.source) && nodes.get(edge.target)) {
          edgeKeys.add(key);
          links.push({
            from: edge.source,
            to: edge.target,
            arrows: "to",
            width: 1 + Math.min(4, Math.log1p(Math.max(0, Number(edge.weight) || 0))),
            title: R.at(label(edge.source)) + " amplified " + R.at(label(edge.target)) +
              "\n" + edge.events + " time" + (edge.events === 1 ? "" : "s"),
          });
        }
      });
      edges.add(links);
      relabel();
      container.dataset.nodes = String(nodes.length);
      return made.length;
    }

    function label(id) {
      var node = nodes.get(id);
      return node ? node.handle || node.label : id;
    }

    function wireSearch() {
      var form = document.getElementById("search");
      var input = document.getElementById("search-input");
      var status = document.getElementById("search-status");
      if (!form || !input) {
        return;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var query = input.value.trim().replace(/^@/, "").toLowerCase();
        if (!query) {
          return;
        }
        var best = null;
        var bestRank = Infinity;
        nodes.forEach(function (node) {
          var handle = String(node.handle || node.label || "").toLowerCase();
          var where = handle.indexOf(query);
          if (where < 0) {
            return;
          }
          var rank = (handle === query ? 0 : where === 0 ? 1 : 2) * 1000 - (node.size || 0);
          if (rank < bestRank) {
            best = node;
            bestRank = rank;
          }
        });
        if (status) {
          status.textContent = best ? "" : R.t("No loaded account matches");
        }
        if (best) {
          select(String(best.id), true);
        }
      });
    }
  }

  // The drawn view as a PNG (what the canvas shows now, on a white background for slides).
  function wirePngDownload(button, container) {
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      var canvas = container.querySelector("canvas");
      if (!canvas) {
        return;
      }
      var copy = document.createElement("canvas");
      copy.width = canvas.width;
      copy.height = canvas.height;
      var context = copy.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, copy.width, copy.height);
      context.drawImage(canvas, 0, 0);
      var anchor = document.createElement("a");
      anchor.href = copy.toDataURL("image/png");
      anchor.download = "resonance-network.png";
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
    });
  }

  function wireFilters(form) {
    R.loadFilterChoices(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = R.filterParams(form).toString();
      window.location.assign("/" + (query ? "?" + query : ""));
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      window.location.assign("/");
    });
  }

  function communityColour(view, community) {
    var palette = view.palette || [];
    if (community === null || community === undefined || community < 0 || !palette.length) {
      return view.unassigned || "#8a93a8";
    }
    return palette[community % palette.length];
  }

  /* A vis-network node for an account from the API, styled like the server's. */
  function makeNode(item, view) {
    var top = Number(view.maxScore) || 0;
    var low = Number(view.minSize) || 8;
    var high = Number(view.maxSize) || 48;
    var fraction = top > 0 ? Math.min(Math.max((Number(item.score) || 0) / top, 0), 1) : 0;
    var fill = item.is_brand ? view.brand || "#ff8a5b" : communityColour(view, item.community);
    var facts = [
      item.is_brand ? R.t("brand account") : R.t("rank {rank}", { rank: item.rank }),
      R.t("score {score}", { score: R.formatScore(item.score) }),
      R.plural(item.amplifiers, "{count} amplifier", "{count} amplifiers"),
    ];
    return {
      id: item.id,
      label: item.handle,
      shape: item.is_brand ? "diamond" : "dot",
      size: Math.round((low + (high - low) * Math.sqrt(fraction)) * 100) / 100,
      color: {
        background: fill,
        border: "#2b3040",
        highlight: { background: "#ffd166", border: "#e0a100" },
        hover: { background: fill, border: "#2b3040" },
      },
      title: R.at(item.handle) + (item.name ? " — " + item.name : "") + "\n" + facts.join(" · "),
      info: {
        handle: R.at(item.handle),
        name: item.name,
        bio: item.bio,
        rank: item.rank,
        score: R.formatScore(item.score),
        amplifiers: item.amplifiers,
        followers: item.followers,
        brand: item.is_brand,
        community: item.community,
        role: item.role,
      },
    };
  }

  function drawLegend(legend, entries) {
    if (!legend) {
      return;
    }
    var first = legend.firstChild;
    var names = {};
    entries.slice(0, 10).forEach(function (entry) {
      var item = R.el("span", "legend-community");
      item.dataset.community = String(entry.community);
      var swatch = R.el("i", "swatch");
      swatch.style.backgroundColor = entry.colour;
      item.appendChild(swatch);
      names[entry.community] = item.appendChild(R.el("span", "legend-name", R.t("Community {number}", { number: entry.community })));
      item.title = entry.members + " shown";
      legend.insertBefore(item, first);
    });
    // What each community is about (its name, else its top topics and voice).
    R.getJSON("/api/communities?limit=200").then(function (page) {
      page.items.forEach(function (community) {
        var span = names[community.community];
        if (span && community.label) {
          span.textContent = R.t(community.label);
          span.parentNode.title = R.t("Community {number}", { number: community.community }) + ": " + R.t(community.label);
        }
      });
    }).catch(function () {});
  }

  function showProgress(element, text) {
    if (element) {
      element.textContent = text;
      element.hidden = false;
    }
  }

  function setField(panel, name, value) {
    var element = panel.querySelector("[data-field='" + name + "']");
    if (element) {
      element.textContent = value === null || value === undefined ? "" : String(value);
    }
  }

  function list(panel, name) {
    return panel.querySelector("[data-list='" + name + "']");
  }

  function clearLists(panel) {
    ["reasons", "topics", "amplifiers", "posts"].forEach(function (name) {
      R.clear(list(panel, name));
    });
  }

  function roleName(role) {
    return role ? R.t(String(role).replace(/_/g, " ")) : "—";
  }

  function showSummary(panel, info) {
    setField(panel, "kind", info.brand ? R.t("Brand") : R.t("Person"));
    setField(panel, "handle", info.handle);
    setField(panel, "name", info.name);
    setField(panel, "bio", info.bio);
    setField(panel, "rank", info.brand ? R.t("brand account") : "#" + info.rank);
    setField(panel, "score", info.score);
    setField(panel, "role", roleName(info.role));
    setField(panel, "community", info.community === null || info.community === undefined ? "—" : info.community);
    setField(panel, "amplifiers", R.number(info.amplifiers));
    setField(panel, "followers", info.followers === null || info.followers === undefined || info.followers === "" ? "—" : R.number(info.followers));
    panel.hidden = false;
  }

  function showExplanation(panel, detail, select) {
    var scores = detail.scores || {};
    var profile = detail.profile || {};
    setField(panel, "handle", R.at(profile.handle));
    setField(panel, "name", profile.name);
    setField(panel, "bio", profile.bio);
    setField(panel, "rank", scores.rank === null ? "—" : "#" + scores.rank);
    setField(panel, "score", R.formatScore(scores.score));
    setField(panel, "role", roleName(detail.role));
    setField(panel, "community", scores.community === null ? "—" : scores.community);
    var link = panel.querySelector("[data-field='profile-link']");
    if (link) {
      link.href = "/api/users/" + encodeURIComponent(detail.id);
    }
    var gexf = panel.querySelector("[data-field='gexf-link']");
    if (gexf) {
      gexf.href = "/api/users/" + encodeURIComponent(detail.id) + "/network.gexf";
    }
    clearLists(panel);
    fill(list(panel, "reasons"), detail.reasons || [], function (reason) {
      return R.el("li", null, R.t(reason));
    });
    fill(list(panel, "topics"), detail.topics || [], function (topic) {
      return R.el("li", null, R.t("#{rank} on {topic} · score {score} · {focus}% focus", {
        rank: topic.rank, topic: topic.topic, score: R.formatScore(topic.score), focus: Math.round(100 * topic.focus),
      }));
    });
    fill(list(panel, "amplifiers"), detail.top_amplifiers || [], function (entry) {
      var item = R.el("li");
      var button = R.el("button", "linkish", R.at(entry.account.handle));
      button.type = "button";
      button.addEventListener("click", function () {
        select(String(entry.account.id), true);
      });
      item.appendChild(button);
      item.appendChild(R.el("span", "share", " " + R.t("{share}% of its PageRank", { share: R.number(100 * entry.share, 1) })));
      return item;
    });
    fill(list(panel, "posts"), detail.top_posts || [], function (post) {
      var item = R.el("li");
      item.appendChild(R.el("span", "post-text", post.text));
      var meta = R.plural(post.amplifiers, "{count} amplifier", "{count} amplifiers");
      if (post.created_at) {
        meta += " · " + String(post.created_at).slice(0, 10);
      }
      var line = R.el("span", "post-meta", meta);
      if (/^https?:\/\//i.test(post.url || "")) {
        var anchor = R.el("a", null, " open");
        anchor.href = post.url;
        anchor.rel = "noopener noreferrer";
        anchor.target = "_blank";
        line.appendChild(anchor);
      }
      item.appendChild(line);
      return item;
    });
  }

  function fill(target, items, make) {
    if (!target) {
      return;
    }
    if (!items.length) {
      target.appendChild(R.el("li", "muted", "none"));
    }
    items.forEach(function (value) {
      target.appendChild(make(value));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
