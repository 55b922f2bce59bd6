/*
 * Resonance profiles: every setting of a scoring profile with its meaning (GET /api/profiles,
 * /api/profiles/{name}); change some and save them as a new profile (POST /api/profiles);
 * analyse with it (a job, over the latest analysis's window); compare two profiles' newest
 * runs (GET /api/profiles/compare). Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var M = window.ResonanceMovements;
  var GROUP_NAMES = {
    weights: R.t("Edge weights"),
    score: R.t("Global score"),
    topics: R.t("Topics"),
    roles: R.t("Roles"),
    boosting: R.t("Boosting flagged and not counted"),
  };

  function words(name) {
    return String(name).replace(/_/g, " ");
  }

  function boundsText(bounds) {
    var parts = [];
    if (bounds.minimum !== undefined) parts.push("≥ " + bounds.minimum);
    if (bounds.above !== undefined) parts.push("> " + bounds.above);
    if (bounds.maximum !== undefined) parts.push("≤ " + bounds.maximum);
    if (bounds.below !== undefined) parts.push("< " + bounds.below);
    return parts.join(", ");
  }

  function numberInput(name, value, bounds) {
    var input = R.el("input");
    input.type = "number";
    input.step = "any";
    input.name = name;
    input.value = String(value);
    input.dataset.original = String(value);
    input.setAttribute("aria-label", words(name));
    if (bounds.minimum !== undefined) input.min = String(bounds.minimum);
    if (bounds.maximum !== undefined) input.max = String(bounds.maximum);
    input.title = boundsText(bounds);
    return input;
  }

  /* One row per setting; kind_weights gets one input per kind. */
  function settingRow(setting) {
    var tr = R.el("tr");
    tr.dataset.setting = setting.name;
    tr.appendChild(R.el("th", "setting", words(setting.name))).scope = "row";
    var valueCell = tr.appendChild(R.el("td", "value"));
    var defaultCell = tr.appendChild(R.el("td", "num muted"));
    if (setting.name === "kind_weights") {
      Object.keys(setting.value).forEach(function (kind) {
        var label = valueCell.appendChild(R.el("label", "kind-weight", kind + " "));
        label.appendChild(numberInput("kind_weights." + kind, setting.value[kind], { minimum: 0 }));
      });
      defaultCell.textContent = Object.keys(setting.default).map(function (kind) {
        return kind + " " + setting.default[kind];
      }).join(", ");
    } else {
      valueCell.appendChild(numberInput(setting.name, setting.value, setting.bounds));
      defaultCell.textContent = R.number(setting.default);
    }
    tr.appendChild(R.el("td", "meaning", R.t(setting.meaning)));
    return tr;
  }

  function showProfile(profile, groups) {
    document.querySelector("[data-field='profile-heading']").textContent = R.t("Profile {name}", { name: profile.name });
    document.querySelector("[data-field='profile-description']").textContent =
      R.t(profile.description) + (profile.in_use ? " " + R.t("(the profile of the scores shown)") : "");
    var body = document.querySelector("#settings-table tbody");
    R.clear(body);
    groups.forEach(function (group) {
      var heading = body.appendChild(R.el("tr", "group"));
      var cell = heading.appendChild(R.el("th", null, GROUP_NAMES[group] || words(group)));
      cell.colSpan = 4;
      cell.scope = "rowgroup";
      profile.settings.filter(function (s) { return s.group === group; }).forEach(function (s) {
        body.appendChild(settingRow(s));
      });
    });
  }

  /* The settings whose input differs from the profile shown, as POST /api/profiles takes them. */
  function changes(form) {
    var found = {};
    Array.prototype.forEach.call(form.querySelectorAll("#settings-table input"), function (input) {
      if (input.value === input.dataset.original) {
        return;
      }
      var value = Number(input.value);
      if (input.name.indexOf("kind_weights.") === 0) {
        found.kind_weights = found.kind_weights || {};
        found.kind_weights[input.name.slice("kind_weights.".length)] = value;
      } else {
        found[input.name] = value;
      }
    });
    return found;
  }

  function fillNames(select, names, chosen) {
    R.clear(select);
    names.forEach(function (name) {
      var option = select.appendChild(R.el("option", null, name));
      option.value = name;
      option.selected = name === chosen;
    });
  }

  function start() {
    var pick = document.getElementById("profile-pick");
    if (!R || !M || !pick) {
      return;
    }
    var select = pick.elements.namedItem("profile");
    var form = document.getElementById("profile-form");
    var saveStatus = form.querySelector("[data-field='save-status']");
    var compareForm = document.getElementById("profile-compare-form");
    var compareStatus = compareForm.querySelector("[data-field='compare-status']");
    var groups = [];
    var inUse = null;

    function load(name) {
      return R.getJSON("/api/profiles/" + encodeURIComponent(name)).then(function (profile) {
        showProfile(profile, groups);
      });
    }

    function loadList(chosen) {
      return R.getJSON("/api/profiles").then(function (list) {
        groups = list.groups;
        inUse = list.in_use;
        var names = list.items.map(function (item) { return item.name; });
        var shown = chosen || new URLSearchParams(window.location.search).get("profile") || inUse || "default";
        fillNames(select, names, shown);
        fillNames(compareForm.elements.namedItem("first"), names, inUse || "default");
        fillNames(compareForm.elements.namedItem("second"), names, shown);
        pick.querySelector("[data-field='in-use']").textContent = inUse
          ? R.t("The scores shown come from profile {name}.", { name: inUse })
          : R.t("No analysis yet.");
        return load(select.value);
      });
    }

    select.addEventListener("change", function () {
      saveStatus.textContent = "";
      load(select.value);
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        name: form.elements.namedItem("name").value.trim(),
        description: form.elements.namedItem("description").value,
        base: select.value,
        changes: changes(form),
      };
      saveStatus.textContent = R.t("Saving…");
      R.send("POST", "/api/profiles", body).then(
        function (saved) {
          saveStatus.textContent = R.t("Saved as profile {name}.", { name: saved.name });
          return loadList(saved.name);
        },
        function (error) {
          saveStatus.textContent = R.t("Not saved: {error}", { error: R.t(error.message) });
        }
      );
    });

    var analyse = pick.querySelector("[data-action='analyse']");
    var progress = pick.querySelector("[data-field='progress']");
    var cancel = pick.querySelector("[data-action='cancel-job']");
    analyse.addEventListener("click", function () {
      analyse.disabled = true;
      R.getJSON("/api/analysis").catch(function () { return {}; }).then(function (latest) {
        return R.analyseWindow(latest.since, latest.until, progress, function (job) {
          cancel.hidden = false;
          cancel.onclick = function () {
            cancel.disabled = true;
            R.cancelJob(job.id);
          };
        }, select.value);
      }).then(
        function () {
          progress.textContent = R.t("Done: the scores now come from profile {name}.", { name: select.value });
          return loadList(select.value);
        },
        function (error) {
          progress.textContent = error.cancelled
            ? R.t("Cancelled: the scores shown are unchanged.")
            : R.t("The analysis failed: {error}", { error: R.t(error.message) });
        }
      ).then(function () {
        analyse.disabled = false;
        cancel.hidden = true;
        cancel.disabled = false;
      });
    });

    compareForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams({
        first: compareForm.elements.namedItem("first").value,
        second: compareForm.elements.namedItem("second").value,
        top: compareForm.elements.namedItem("top").value,
      });
      compareStatus.textContent = R.t("Comparing…");
      var table = document.getElementById("profile-compare-table");
      var heading = document.querySelector("[data-field='compare-heading']");
      R.send("GET", "/api/profiles/compare?" + params.toString()).then(
        function (result) {
          heading.textContent = R.t("Top {top} under {second} (run {second_run}) against {first} (run {first_run})", {
            top: params.get("top"),
            second: result.second.profile,
            second_run: result.second.id,
            first: result.first.profile,
            first_run: result.first.id,
          });
          heading.hidden = false;
          M.showCompare(result, table.querySelector("tbody"));
          table.hidden = false;
          compareStatus.textContent = "";
        },
        function (error) {
          compareStatus.textContent = R.t("Could not compare: {error}", { error: R.t(error.message) });
        }
      );
    });

    loadList(null).catch(function (error) {
      saveStatus.textContent = R.t("Could not load the profiles: {error}", { error: R.t(error.message) });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
