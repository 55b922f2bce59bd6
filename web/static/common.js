/*
 * Resonance: helpers shared by the explorer's pages. User text only ever reaches the DOM
 * through textContent or attribute setters (never innerHTML).
 */
(function () {
  "use strict";

  var FILTERS = ["topic", "role", "community", "min_score"];

  /* An element with optional class and text (set with textContent). */
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(url + ": HTTP " + response.status);
        }
        return response.json();
      }
    );
  }

  /* A JSON request; a refusal becomes an Error carrying the API's {"detail"} (or the status). */
  function send(method, url, body) {
    var init = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      if (!response.ok) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (payload) {
            var detail = payload && payload.detail;
            throw new Error(typeof detail === "string" ? detail : "HTTP " + response.status);
          });
      }
      return response.status === 204 ? null : response.json();
    });
  }

  function formatScore(value) {
    if (value === null || value === undefined || !isFinite(value)) {
      return "n/a";
    }
    if (Math.abs(value) >= 1000) {
      return Math.round(value).toLocaleString("en");
    }
    return String(Number(Number(value).toPrecision(3)));
  }

  function at(handle) {
    handle = String(handle || "");
    return handle.charAt(0) === "@" ? handle : "@" + handle;
  }

  /* The filter form's non-empty values as URLSearchParams. */
  function filterParams(form) {
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && String(field.value).trim() !== "") {
        params.set(name, String(field.value).trim());
      }
    });
    return params;
  }

  function addOption(select, value, label, selected) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) {
        select.options[i].textContent = label;
        return;
      }
    }
    var option = el("option", null, label);
    option.value = value;
    option.selected = Boolean(selected);
    select.appendChild(option);
  }

  /* Fill the topic and community selects from the API, keeping the current choice. */
  function loadFilterChoices(form) {
    var topic = form.elements.namedItem("topic");
    var community = form.elements.namedItem("community");
    if (topic) {
      getJSON("/api/topics?limit=200")
        .then(function (page) {
          page.items.forEach(function (item) {
            addOption(topic, item.topic, item.topic + " (" + item.ranked + ")", false);
          });
        })
        .catch(function () {});
    }
    if (community) {
      getJSON("/api/communities?limit=200")
        .then(function (page) {
          page.items.forEach(function (item) {
            addOption(community, String(item.community), item.community + " (" + item.size + ")", false);
          });
        })
        .catch(function () {});
    }
  }

  /* Set the form's fields from URL parameters. */
  function applyParams(form, params) {
    FILTERS.forEach(function (name) {
      var field = form.elements.namedItem(name);
      var value = params.get(name);
      if (!field || value === null) {
        return;
      }
      if (field.tagName === "SELECT") {
        addOption(field, value, value, true);
      }
      field.value = value;
    });
  }

  window.Resonance = {
    FILTERS: FILTERS,
    el: el,
    getJSON: getJSON,
    send: send,
    formatScore: formatScore,
    at: at,
    filterParams: filterParams,
    loadFilterChoices: loadFilterChoices,
    applyParams: applyParams,
  };
})();
