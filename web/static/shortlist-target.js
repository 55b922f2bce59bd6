/*
 * Resonance's external-reach lens: where the campaign wants to be heard (topics and/or
 * communities; a shortlist keeps its own, PUT /api/shortlists/{id}/target), and each account's
 * share of its audience inside it (the "In target" column of the shortlist and of the
 * influencer table), sortable and filtered by a minimum share.
 * Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  function percent(share) {
    return share === null || share === undefined ? "—" : R.t("{percent}%", { percent: Math.round(100 * share) });
  }

  /* The members table's cell for a member's share inside the target. */
  function cell(member) {
    var td = R.el("td", "num in-target", percent(member.in_target));
    td.dataset.share = member.in_target === null || member.in_target === undefined ? "" : String(member.in_target);
    return td;
  }

  function options(select, items, chosen) {
    R.clear(select);
    items.forEach(function (item) {
      var option = select.appendChild(R.el("option", null, item.label));
      option.value = item.value;
      option.selected = chosen.indexOf(item.value) >= 0;
    });
  }

  function selected(select) {
    return Array.prototype.filter.call(select.options, function (option) {
      return option.selected;
    }).map(function (option) {
      return option.value;
    });
  }

  /* Order the rows by share (best first, or back again) and hide those under the minimum. */
  function arrange(body, descending, minimum) {
    var rows = Array.prototype.slice.call(body.rows);
    if (descending !== null) {
      rows.sort(function (a, b) {
        var x = a.querySelector("td.in-target").dataset.share;
        var y = b.querySelector("td.in-target").dataset.share;
        var left = x === "" ? -1 : Number(x);
        var right = y === "" ? -1 : Number(y);
        return descending ? right - left : left - right;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    }
    rows.forEach(function (row) {
      var share = row.querySelector("td.in-target").dataset.share;
      row.hidden = minimum > 0 && (share === "" || Number(share) < minimum);
    });
  }

  /* The topics and communities to pick a target from, `topics` and `communities` selected. */
  function fillChoices(form, topics, communities) {
    var chosenCommunities = communities.map(String);
    R.getJSON("/api/topics?limit=200").then(function (page) {
      options(form.elements.namedItem("topics"), page.items.map(function (item) {
        return { value: item.topic, label: item.topic };
      }), topics);
    }).catch(function () {});
    R.getJSON("/api/communities?limit=200").then(function (page) {
      options(form.elements.namedItem("communities"), page.items.map(function (item) {
        return { value: String(item.community), label: item.community + (item.label ? " · " + R.t(item.label) : "") };
      }), chosenCommunities);
    }).catch(function () {});
  }

  /* The target picked in `form`, as the API takes it. */
  function chosen(form) {
    return {
      topics: selected(form.elements.namedItem("topics")),
      communities: selected(form.elements.namedItem("communities")).map(Number),
    };
  }

  /* Sort by share on a click of `sort` and hide the rows under `minimum`'s percent. */
  function wireColumn(table, sort, minimum) {
    var descending = null;
    function apply() {
      arrange(table.tBodies[0], descending, Number(minimum.value || 0) / 100);
    }
    sort.onclick = function () {
      descending = descending === null ? true : !descending;
      sort.closest("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
      apply();
    };
    minimum.oninput = apply;
    sort.closest("th").removeAttribute("aria-sort");
    apply();
    return apply;
  }

  /* Wire the target form of the open list `detail`; `reopen()` reloads the list once saved. */
  function show(detail, reopen) {
    var form = document.getElementById("target-form");
    if (!form) {
      return;
    }
    var topics = form.elements.namedItem("topics");
    var communities = form.elements.namedItem("communities");
    var status = form.querySelector("[data-field='target-status']");
    status.textContent = detail.target.topics.length || detail.target.communities.length
      ? R.t("Target: {target}", {
          target: [].concat(detail.target.topics, detail.target.communities.map(function (c) {
            return R.t("community {number}", { number: c });
          })).join(", "),
        })
      : R.t("No target yet: pick topics or communities.");
    fillChoices(form, detail.target.topics, detail.target.communities);
    form.onsubmit = function (event) {
      event.preventDefault();
      status.textContent = R.t("Saving…");
      var body = chosen(form);
      R.send("PUT", "/api/shortlists/" + encodeURIComponent(detail.id) + "/target", body).then(
        function () {
          reopen();
        },
        function (error) {
          status.textContent = R.t("Not saved: {error}", { error: R.t(error.message) });
        }
      );
    };
    var table = document.getElementById("members");
    wireColumn(table, table.querySelector("[data-sort='in_target']"), document.getElementById("target-min"));
  }

  window.ResonanceTarget = {
    cell: cell,
    chosen: chosen,
    fillChoices: fillChoices,
    percent: percent,
    show: show,
    wireColumn: wireColumn,
  };
})();
