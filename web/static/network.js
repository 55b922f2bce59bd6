/*
 * Resonance network page: draws the graph embedded in <script id="graph-data"> with vis-network.
 * User text only ever reaches the DOM through textContent (never innerHTML).
 */
(function () {
  "use strict";

  function start() {
    var source = document.getElementById("graph-data");
    var container = document.getElementById("network");
    var progress = document.getElementById("progress");
    var panel = document.getElementById("details");
    if (!source || !container || !panel) {
      return;
    }
    if (typeof vis === "undefined" || !vis.Network) {
      showProgress(progress, "The network view could not load (vis-network is missing).");
      return;
    }

    var graph = JSON.parse(source.textContent || "{}");
    var nodes = Array.isArray(graph.nodes) ? graph.nodes : [];
    var edges = Array.isArray(graph.edges) ? graph.edges : [];
    var byId = new Map();
    nodes.forEach(function (node) {
      byId.set(String(node.id), node);
    });
    if (nodes.length === 0) {
      return;
    }

    var network = new vis.Network(
      container,
      { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) },
      graph.options || {}
    );
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-node-id]"));

    network.on("stabilizationProgress", function (params) {
      var percent = Math.round((100 * params.iterations) / Math.max(params.total, 1));
      showProgress(progress, "Laying out the network… " + percent + "%");
    });
    network.once("stabilizationIterationsDone", function () {
      if (progress) {
        progress.hidden = true;
      }
      // Keep the settled layout still; dragging a node then moves just that node.
      network.setOptions({ physics: { enabled: false } });
    });

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

    function select(id, focus) {
      var node = byId.get(id);
      if (!node) {
        return;
      }
      network.selectNodes([node.id]);
      if (focus) {
        network.focus(node.id, { scale: 1.1, animation: { duration: 450, easingFunction: "easeInOutQuad" } });
      }
      showDetails(panel, node);
      rows.forEach(function (row) {
        var match = row.dataset.nodeId === id;
        row.classList.toggle("selected", match);
        if (match && !focus) {
          row.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function clear() {
      network.unselectAll();
      panel.hidden = true;
      rows.forEach(function (row) {
        row.classList.remove("selected");
      });
    }
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

  function showDetails(panel, node) {
    var info = node.info || {};
    setField(panel, "kind", info.brand ? "Brand" : "Person");
    setField(panel, "handle", info.handle);
    setField(panel, "name", info.name);
    setField(panel, "bio", info.bio);
    setField(panel, "rank", info.brand ? "brand account" : "#" + info.rank);
    setField(panel, "score", info.score);
    setField(panel, "amplifiers", Number(info.amplifiers).toLocaleString("en"));
    setField(panel, "followers", info.followers || "—");
    panel.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
