/*
 * Resonance console: read-only Cypher through POST /api/console. Rows become a table (cells via
 * textContent; nodes and relationships shown compactly), the nodes and relationships that come
 * back a small vis-network graph, and a refusal (422/503) its message. Never innerHTML.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  var clear = R.clear;

  function nodeText(node) {
    var props = node.properties || {};
    var name = props.handle !== undefined ? R.at(props.handle) : props.name !== undefined ? props.name : props.id;
    return "(" + (node.labels || []).map(function (l) { return ":" + l; }).join("") +
      (name !== undefined && name !== null ? " " + name : " #" + node.id) + ")";
  }

  function compact(value) {
    if (value === null || value === undefined) {
      return "null";
    }
    if (typeof value !== "object") {
      return String(value);
    }
    if (value.kind === "node") {
      return nodeText(value);
    }
    if (value.kind === "relationship") {
      return "[:" + value.type + " " + value.start + "→" + value.end + "]";
    }
    if (value.kind === "path") {
      var nodes = value.nodes || [];
      return R.plural(nodes.length, "path of {count} node", "path of {count} nodes");
    }
    var text = JSON.stringify(value);
    return text.length > 300 ? text.slice(0, 300) + "…" : text;
  }

  function start() {
    var query = document.getElementById("query");
    var paramsField = document.getElementById("params");
    var run = document.getElementById("run");
    if (!query || !paramsField || !run || !R) {
      return;
    }
    var status = document.getElementById("console-status");
    var errorBox = document.getElementById("console-error");
    var card = document.getElementById("results-card");
    var summary = document.getElementById("results-summary");
    var table = document.getElementById("results");
    var graphBox = document.getElementById("console-graph");
    var examples = [];
    try {
      examples = JSON.parse(document.getElementById("examples-data").textContent || "[]");
    } catch (error) {
      examples = [];
    }
    var paramForm = document.getElementById("param-form");
    var description = document.getElementById("query-description");
    Array.prototype.forEach.call(document.querySelectorAll("[data-example]"), function (button) {
      button.addEventListener("click", function () {
        var example = examples[Number(button.dataset.example)];
        if (example) {
          query.value = example.query;
          paramsField.value = JSON.stringify(example.params || {}, null, 2);
          if (description) {
            description.textContent = example.builtin ? R.t(example.description || "") : example.description || "";
          }
          showParams(example.params || {});
          query.focus();
        }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-delete-query]"), function (button) {
      button.addEventListener("click", function () {
        R.send("DELETE", "/api/queries/" + encodeURIComponent(button.dataset.deleteQuery))
          .then(function () {
            window.location.reload();
          })
          .catch(function (error) {
            refuse(R.t("Not deleted: {error}", { error: R.t(error.message) }));
          });
      });
    });
    var saveForm = document.getElementById("save-query");
    if (saveForm) {
      saveForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var saveStatus = document.getElementById("save-status");
        var params;
        try {
          params = JSON.parse(paramsField.value.trim() || "{}");
        } catch (error) {
          saveStatus.textContent = R.t("The parameters are not valid JSON: {error}", { error: error.message });
          return;
        }
        saveStatus.textContent = R.t("Saving…");
        R.send("POST", "/api/queries", {
          label: saveForm.elements.namedItem("label").value,
          description: saveForm.elements.namedItem("description").value,
          query: query.value,
          params: params,
        })
          .then(function () {
            window.location.reload();
          })
          .catch(function (error) {
            saveStatus.textContent = R.t("Not saved: {error}", { error: R.t(error.message) });
          });
      });
    }

    // One field per parameter, filled with its default; editing one rewrites the JSON.
    function showParams(defaults) {
      if (!paramForm) {
        return;
      }
      clear(paramForm);
      var names = Object.keys(defaults);
      paramForm.hidden = names.length === 0;
      names.forEach(function (name) {
        var label = R.el("label", null, "$" + name + " ");
        var input = R.el("input");
        input.name = name;
        var value = defaults[name];
        input.type = typeof value === "number" ? "number" : "text";
        input.step = "any";
        input.value = typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
        input.dataset.kind = typeof value;
        input.addEventListener("input", function () {
          var current;
          try {
            current = JSON.parse(paramsField.value || "{}");
          } catch (error) {
            current = {};
          }
          current[name] = input.dataset.kind === "number" ? Number(input.value) :
            input.dataset.kind === "string" ? input.value : safeJson(input.value);
          paramsField.value = JSON.stringify(current, null, 2);
        });
        label.appendChild(input);
        paramForm.appendChild(label);
      });
    }

    function safeJson(text) {
      try {
        return JSON.parse(text);
      } catch (error) {
        return text;
      }
    }
    var graph = null;
    var busy = false;
    run.addEventListener("click", submit);
    query.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });

    function refuse(text) {
      errorBox.textContent = text;
      errorBox.hidden = false;
      status.textContent = "";
    }

    function submit() {
      if (busy) {
        return;
      }
      errorBox.hidden = true;
      errorBox.textContent = "";
      var params;
      try {
        params = JSON.parse(paramsField.value.trim() || "{}");
      } catch (error) {
        refuse(R.t("The parameters are not valid JSON: {error}", { error: error.message }));
        return;
      }
      if (params === null || typeof params !== "object" || Array.isArray(params)) {
        refuse(R.t("The parameters must be a JSON object."));
        return;
      }
      if (!query.value.trim()) {
        refuse(R.t("Type a Cypher query first."));
        return;
      }
      busy = true;
      run.disabled = true;
      status.textContent = R.t("Running…");
      fetch("/api/console", {
        method: "POST",
        credentials: "same-origin",
        headers: R.headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ query: query.value, params: params }),
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (payload) {
              if (!response.ok) {
                var detail = payload && payload.detail;
                if (typeof detail !== "string") {
                  detail = detail ? JSON.stringify(detail) : "HTTP " + response.status;
                }
                var said = { error: R.t(detail) };
                var text = response.status === 503 ? R.t("The console is unavailable: {error}", said) :
                  response.status === 429 ? R.t("Busy: {error}", said) : R.t("Refused: {error}", said);
                refuse(response.status === 401 ? R.t(R.RELOGIN) : text);
                return;
              }
              status.textContent = "";
              lastRun = { query: query.value, params: params };
              show(payload);
            });
        })
        .catch(function (error) {
          refuse(R.t("Could not reach the console: {error}", { error: R.t(error.message) }));
        })
        .then(function () {
          busy = false;
          run.disabled = false;
        });
    }

    // The accounts in a result: its User nodes, else the values of a column named id or user_id.
    function accountsIn(result) {
      var ids = [];
      (result.nodes || []).forEach(function (node) {
        if ((node.labels || []).indexOf("User") >= 0 && node.properties && node.properties.id) {
          ids.push(String(node.properties.id));
        }
      });
      if (!ids.length) {
        var column = result.columns.indexOf("id");
        column = column >= 0 ? column : result.columns.indexOf("user_id");
        if (column >= 0) {
          result.rows.forEach(function (values) {
            if (typeof values[column] === "string" && values[column]) {
              ids.push(values[column]);
            }
          });
        }
      }
      return ids.filter(function (id, k) {
        return ids.indexOf(id) === k;
      });
    }

    var lastRun = null;
    var shortlistButton = document.getElementById("console-shortlist");
    var csvButton = document.getElementById("console-csv");
    var resultsStatus = document.getElementById("results-status");
    var accounts = [];
    if (shortlistButton) {
      shortlistButton.addEventListener("click", function () {
        document.dispatchEvent(new CustomEvent("resonance:shortlist", {
          detail: { ids: accounts, handle: accounts.length + " account" + (accounts.length === 1 ? "" : "s") },
        }));
      });
    }
    if (csvButton) {
      csvButton.addEventListener("click", function () {
        if (!lastRun) {
          return;
        }
        resultsStatus.textContent = R.t("Preparing the CSV…");
        fetch("/api/console.csv", {
          method: "POST",
          credentials: "same-origin",
          headers: R.headers({ "Content-Type": "application/json" }),
          body: JSON.stringify(lastRun),
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("HTTP " + response.status);
            }
            return response.blob();
          })
          .then(function (blob) {
            var anchor = document.createElement("a");
            anchor.href = URL.createObjectURL(blob);
            anchor.download = "resonance-console.csv";
            document.body.appendChild(anchor);
            anchor.click();
            anchor.remove();
            resultsStatus.textContent = "";
          })
          .catch(function (error) {
            resultsStatus.textContent = R.t("Could not download: {error}", { error: R.t(error.message) });
          });
      });
    }

    function show(result) {
      card.hidden = false;
      accounts = accountsIn(result);
      if (shortlistButton) {
        shortlistButton.hidden = accounts.length === 0;
        shortlistButton.textContent = R.plural(accounts.length, "Add this {count} account to a shortlist",
          "Add these {count} accounts to a shortlist");
      }
      var head = table.tHead.rows[0];
      var body = table.tBodies[0];
      clear(head);
      clear(body);
      result.columns.forEach(function (column) {
        var th = R.el("th", null, column);
        th.scope = "col";
        head.appendChild(th);
      });
      result.rows.forEach(function (values) {
        var tr = R.el("tr");
        values.forEach(function (value) {
          var td = R.el("td", typeof value === "number" ? "num" : null, compact(value));
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      summary.textContent = R.plural(result.rows.length, "{count} row", "{count} rows") +
        (result.truncated ? " " + R.t("(truncated: there were more)") : "") + " · " +
        R.t("{ms} ms", { ms: R.number(Math.round(result.elapsed_ms)) }) + " · " +
        R.plural(result.nodes.length, "{count} node", "{count} nodes") + " · " +
        R.plural(result.relationships.length, "{count} relationship", "{count} relationships");
      draw(result.nodes || [], result.relationships || []);
    }

    function draw(nodes, relationships) {
      if (graph) {
        graph.destroy();
        graph = null;
      }
      if (!nodes.length || !window.vis) {
        graphBox.hidden = true;
        return;
      }
      graphBox.hidden = false;
      var known = {};
      var data = {
        nodes: new window.vis.DataSet(
          nodes.map(function (node) {
            known[node.id] = true;
            var label = nodeText(node);
            return { id: node.id, label: label.length > 40 ? label.slice(0, 40) + "…" : label, title: label, shape: "dot", size: 10 };
          })
        ),
        edges: new window.vis.DataSet(
          relationships
            .filter(function (rel) {
              return known[rel.start] && known[rel.end];
            })
            .map(function (rel) {
              return { id: rel.id, from: rel.start, to: rel.end, label: String(rel.type), arrows: "to" };
            })
        ),
      };
      graph = new window.vis.Network(graphBox, data, {
        physics: { stabilization: { iterations: 150 } },
        nodes: { font: { size: 12 }, color: { background: "#6c8cff", border: "#2b3040" } },
        edges: { font: { size: 10, align: "middle" }, color: { color: "#8a93a8" }, smooth: false },
        interaction: { hover: true },
      });
      window.__resonanceConsole = { network: graph, nodes: data.nodes, edges: data.edges };
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
