/*
 * Resonance shortlists: the lists from /api/shortlists, and one list's members with an editable
 * note and tags each (saved with PUT), removable, and downloadable as CSV. Each member shows its
 * rank, score and role when it was added and now, each labelled with its run (profile, window,
 * analysed at), and the ranks it climbed or fell. User text reaches the DOM through textContent
 * and form values only (never innerHTML).
 */
(function () {
  "use strict";

  var R = window.Resonance;

  var clear = R.clear;

  function splitTags(text) {
    var seen = {};
    return String(text)
      .split(/[,;]/)
      .map(function (tag) {
        return tag.trim();
      })
      .filter(function (tag) {
        if (!tag || seen[tag]) {
          return false;
        }
        seen[tag] = true;
        return true;
      });
  }

  function windowText(run) {
    if (!run.since && !run.until) {
      return R.t("all events");
    }
    return (run.since || "…") + " – " + (run.until || "…");
  }

  /* A time as recorded (ISO) in English, as the page's language writes it otherwise. */
  function when(iso) {
    return !iso ? "?" : R.locale === "en" ? iso : R.date(iso);
  }

  function runText(run) {
    if (!run) {
      return R.t("not analysed");
    }
    var text = R.t("run {run}", { run: run.run }) + " · " + (run.profile || "?") + " · " + windowText(run);
    text += " · " + R.t("analysed {at}", { at: when(run.analyzed_at) });
    return run.kept ? text : text + " " + R.t("(run no longer kept)");
  }

  function standing(field, value) {
    var cell = R.el("td", "standing");
    cell.dataset.field = field;
    var parts = [];
    if (value.run) {
      parts.push(value.rank === null ? R.t("unranked") : "#" + value.rank);
      parts.push(R.formatScore(value.score));
      parts.push(value.role ? R.t(value.role.replace(/_/g, " ")) : R.t("no role"));
    } else {
      parts.push("—");
    }
    var main = R.el("span", "standing-value", parts.join(" · "));
    main.dataset.field = field + "-standing";
    var label = R.el("span", "run-label muted", runText(value.run));
    label.dataset.field = field + "-run";
    cell.appendChild(main);
    cell.appendChild(label);
    return cell;
  }

  function change(value) {
    var cell = R.el("td", "num rank-change");
    cell.dataset.field = "rank-change";
    if (value === null || value === undefined) {
      cell.textContent = "—";
    } else if (value > 0) {
      cell.textContent = "▲ " + value;
      cell.classList.add("up");
    } else if (value < 0) {
      cell.textContent = "▼ " + -value;
      cell.classList.add("down");
    } else {
      cell.textContent = "=";
    }
    cell.title = R.t("ranks climbed since added");
    return cell;
  }

  function start() {
    var index = document.getElementById("shortlists");
    var listsStatus = document.getElementById("lists-status");
    var card = document.getElementById("shortlist");
    if (!index || !card || !R) {
      return;
    }
    var body = document.getElementById("members").tBodies[0];
    var membersStatus = document.getElementById("members-status");
    var current = new URLSearchParams(window.location.search).get("id");

    var handles = {};
    wireReach();
    loadIndex();
    if (current) {
      open(current);
    }

    function resetReach() {
      document.getElementById("overlap").hidden = true;
      document.getElementById("overlap-status").textContent = "";
      clear(document.getElementById("selection-steps"));
      clear(document.getElementById("selection-curve"));
      document.getElementById("selection-status").textContent = "";
    }

    function wireReach() {
      var show = document.getElementById("overlap-show");
      var form = document.getElementById("selection-form");
      if (show) {
        show.addEventListener("click", function () {
          showOverlap(current);
        });
      }
      if (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          pickForBudget(current, Number(document.getElementById("selection-budget").value));
        });
      }
    }

    function showOverlap(id) {
      var status = document.getElementById("overlap-status");
      var table = document.getElementById("overlap");
      status.textContent = R.t("Loading…");
      R.send("GET", "/api/shortlists/" + encodeURIComponent(id) + "/overlap")
        .then(function (found) {
          clear(table);
          var head = R.el("tr");
          head.appendChild(R.el("th", null, R.t("Member")));
          head.appendChild(R.el("th", "num", R.t("Audience")));
          head.appendChild(R.el("th", "num", R.t("Unique")));
          found.members.forEach(function (member) {
            var th = R.el("th", "num", handles[member] || member);
            th.scope = "col";
            head.appendChild(th);
          });
          table.appendChild(head);
          found.members.forEach(function (member, i) {
            var tr = R.el("tr");
            var th = R.el("th", null, handles[member] || member);
            th.scope = "row";
            tr.appendChild(th);
            tr.appendChild(R.el("td", "num", R.number(found.audience[i])));
            tr.appendChild(R.el("td", "num", R.number(found.unique[i])));
            found.shared[i].forEach(function (share, j) {
              var td = R.el("td", "num" + (i === j ? " self" : ""), i === j ? "—" : Math.round(share * 100) + "%");
              td.style.setProperty("--share", String(i === j ? 0 : share));
              tr.appendChild(td);
            });
            table.appendChild(tr);
          });
          table.hidden = false;
          status.textContent = R.t("Together they reach {count} accounts.", { count: R.number(found.union) });
        })
        .catch(function (error) {
          status.textContent = R.t("Could not compute the overlap: {error}", { error: R.t(error.message) });
        });
    }

    function pickForBudget(id, budget) {
      var status = document.getElementById("selection-status");
      var steps = document.getElementById("selection-steps");
      status.textContent = R.t("Picking…");
      R.send("POST", "/api/shortlists/" + encodeURIComponent(id) + "/selection", { budget: budget })
        .then(function (chosen) {
          clear(steps);
          chosen.steps.forEach(function (step) {
            steps.appendChild(
              R.el("li", null, R.t("{member}: +{gain} ({coverage} reached, {spent} spent)", {
                member: handles[step.member] || step.member,
                gain: R.number(step.gain),
                coverage: R.number(step.coverage),
                spent: R.number(step.spent),
              }))
            );
          });
          status.textContent = R.t("{picked} picked: {coverage} of the {union} accounts the whole list reaches, for {spent} of {budget}", {
            picked: chosen.steps.length,
            coverage: R.number(chosen.coverage),
            union: R.number(chosen.union),
            spent: R.number(chosen.spent),
            budget: R.number(chosen.budget),
          }) + (chosen.unit_cost.length ? " " + R.t("({count} without a cost counted as 1)", { count: chosen.unit_cost.length }) : "");
          drawCurve(document.getElementById("selection-curve"), chosen);
        })
        .catch(function (error) {
          status.textContent = R.t("Could not pick: {error}", { error: R.t(error.message) });
        });
    }

    // Coverage against budget spent, one point per pick, as a small SVG step line.
    function drawCurve(target, chosen) {
      clear(target);
      if (!chosen.steps.length) {
        return;
      }
      var ns = "http://www.w3.org/2000/svg";
      var width = 420, height = 160, pad = 30;
      var svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      svg.setAttribute("role", "img");
      var maxX = Math.max(chosen.budget, 1e-9), maxY = Math.max(chosen.union, 1);
      var points = [[0, 0]].concat(chosen.steps.map(function (s) { return [s.spent, s.coverage]; }));
      var path = points.map(function (p, k) {
        var x = pad + (width - 2 * pad) * (p[0] / maxX);
        var y = height - pad - (height - 2 * pad) * (p[1] / maxY);
        return (k ? "L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
      }).join(" ");
      var line = document.createElementNS(ns, "path");
      line.setAttribute("d", path);
      line.setAttribute("class", "curve");
      svg.appendChild(line);
      [[R.t("budget spent"), width / 2, height - 6], [R.t("reached"), 4, 14]].forEach(function (label) {
        var text = document.createElementNS(ns, "text");
        text.setAttribute("x", String(label[1]));
        text.setAttribute("y", String(label[2]));
        text.textContent = label[0];
        svg.appendChild(text);
      });
      target.appendChild(svg);
    }

    function loadIndex() {
      return R.send("GET", "/api/shortlists?limit=200")
        .then(function (page) {
          clear(index);
          listsStatus.textContent = page.total
            ? R.plural(page.total, "{count} shortlist", "{count} shortlists")
            : R.t("No shortlists yet: add accounts from the Influencers or Network pages.");
          page.items.forEach(function (item) {
            var li = R.el("li");
            li.dataset.shortlistId = item.id;
            var button = R.el("button", "linkish", item.name);
            button.type = "button";
            button.dataset.action = "open-shortlist";
            button.addEventListener("click", function () {
              open(item.id);
            });
            li.appendChild(button);
            li.appendChild(
              R.el("span", "muted", " · " + R.plural(item.members, "{count} member", "{count} members"))
            );
            if (item.id === current) {
              li.classList.add("selected");
            }
            index.appendChild(li);
          });
        })
        .catch(function (error) {
          listsStatus.textContent = R.t("Could not load the shortlists: {error}", { error: R.t(error.message) });
        });
    }

    function open(id) {
      current = id;
      window.history.replaceState(null, "", "?id=" + encodeURIComponent(id));
      Array.prototype.forEach.call(index.children, function (li) {
        li.classList.toggle("selected", li.dataset.shortlistId === id);
      });
      membersStatus.textContent = R.t("Loading…");
      return R.send("GET", "/api/shortlists/" + encodeURIComponent(id))
        .then(function (detail) {
          if (current !== id) {
            return;
          }
          card.hidden = false;
          card.dataset.shortlistId = detail.id;
          document.getElementById("shortlist-name").textContent = detail.name;
          var meta = R.t("Updated {at}", { at: when(detail.updated_at) });
          if (detail.profile) {
            meta += " · " + R.t("started under profile {profile}", { profile: detail.profile });
          }
          document.getElementById("shortlist-meta").textContent = meta;
          document.getElementById("shortlist-now").textContent = R.t("Scores now: {run}", { run: runText(detail.latest_run) });
          document.getElementById("shortlist-csv").href =
            "/api/shortlists/" + encodeURIComponent(detail.id) + ".csv";
          clear(body);
          handles = {};
          detail.items.forEach(function (member) {
            handles[member.user_id] = R.at(member.handle);
            body.appendChild(row(detail.id, member));
          });
          resetReach();
          loadReading(detail.id);
          if (window.ResonanceTarget) {
            window.ResonanceTarget.show(detail, function () {
              open(detail.id);
            });
          }
          membersStatus.textContent = detail.items.length
            ? R.plural(detail.items.length, "{count} member", "{count} members")
            : R.t("No members yet.");
        })
        .catch(function (error) {
          card.hidden = false;
          clear(body);
          membersStatus.textContent = R.t("Could not open the shortlist: {error}", { error: R.t(error.message) });
        });
    }

    /* What to read and whom to follow for the members (reading.js). */
    function loadReading(id) {
      var target = document.querySelector("#reading [data-field='reading-list']");
      var Reading = window.ResonanceReading;
      if (!target || !Reading) {
        return;
      }
      R.clear(target);
      target.appendChild(R.el("p", "muted", R.t("Loading…")));
      R.getJSON("/api/shortlists/" + encodeURIComponent(id) + "/reading")
        .then(function (found) {
          if (current !== id) {
            return;
          }
          if (!found.seeds.length) {
            R.clear(target);
            target.appendChild(R.el("p", "muted", R.t("Add members to see whom their audience also reads.")));
            return;
          }
          Reading.draw(target, found, function (voice) {
            window.location.assign("/?focus=" + encodeURIComponent(voice));
          });
        })
        .catch(function (error) {
          R.clear(target);
          target.appendChild(R.el("p", "muted", R.t("Could not load the reading list: {error}", { error: R.t(error.message) })));
        });
    }

    function row(listId, member) {
      var url = "/api/shortlists/" + encodeURIComponent(listId) + "/members/" + encodeURIComponent(member.user_id);
      var tr = R.el("tr");
      tr.dataset.userId = member.user_id;
      var handle = R.el("td", "handle");
      var link = R.el("a", null, R.at(member.handle));
      link.href = "/?focus=" + encodeURIComponent(member.user_id);
      link.title = R.t("Show in the network");
      handle.appendChild(link);
      if (member.name) {
        handle.appendChild(R.el("span", "name", member.name));
      }
      tr.appendChild(handle);
      tr.appendChild(standing("added", member.added));
      tr.appendChild(standing("now", member.now));
      tr.appendChild(change(member.rank_change));
      if (window.ResonanceTarget) {
        tr.appendChild(window.ResonanceTarget.cell(member));
      }
      var reasons = R.el("td");
      var ul = R.el("ul", "reasons");
      (member.reasons || []).forEach(function (reason) {
        ul.appendChild(R.el("li", null, R.t(reason)));
      });
      reasons.appendChild(ul);
      tr.appendChild(reasons);

      var edit = R.el("td", "member-edit");
      var note = R.el("textarea");
      note.name = "note";
      note.rows = 2;
      note.maxLength = 2000;
      note.value = member.note;
      note.setAttribute("aria-label", R.t("Note for {handle}", { handle: R.at(member.handle) }));
      var tags = R.el("input");
      tags.name = "tags";
      tags.type = "text";
      tags.placeholder = R.t("tags, comma-separated");
      tags.value = (member.tags || []).join(", ");
      tags.setAttribute("aria-label", R.t("Tags for {handle}", { handle: R.at(member.handle) }));
      var cost = R.el("input");
      cost.name = "cost";
      cost.type = "number";
      cost.min = "0.01";
      cost.step = "any";
      cost.placeholder = R.t("cost");
      cost.value = member.cost === null || member.cost === undefined ? "" : String(member.cost);
      cost.setAttribute("aria-label", R.t("Cost of {handle}", { handle: R.at(member.handle) }));
      edit.appendChild(note);
      edit.appendChild(tags);
      edit.appendChild(cost);
      tr.appendChild(edit);

      var actions = R.el("td", "member-actions");
      var save = R.el("button", "button primary", R.t("Save"));
      save.type = "button";
      save.dataset.action = "save-member";
      var remove = R.el("button", "button quiet", R.t("Remove"));
      remove.type = "button";
      remove.dataset.action = "remove-member";
      var status = R.el("span", "muted");
      status.dataset.field = "member-status";
      status.setAttribute("aria-live", "polite");
      actions.appendChild(save);
      actions.appendChild(remove);
      actions.appendChild(status);
      tr.appendChild(actions);

      save.addEventListener("click", function () {
        save.disabled = true;
        status.textContent = R.t("Saving…");
        var price = cost.value.trim() === "" ? null : Number(cost.value);
        R.send("PUT", url, { note: note.value, tags: splitTags(tags.value), cost: price })
          .then(function (saved) {
            note.value = saved.note;
            tags.value = saved.tags.join(", ");
            cost.value = saved.cost === null ? "" : String(saved.cost);
            status.textContent = R.t("Saved");
          })
          .catch(function (error) {
            status.textContent = R.t("Not saved: {error}", { error: R.t(error.message) });
          })
          .then(function () {
            save.disabled = false;
          });
      });
      remove.addEventListener("click", function () {
        remove.disabled = true;
        status.textContent = R.t("Removing…");
        R.send("DELETE", url)
          .then(function () {
            open(listId);
            loadIndex();
          })
          .catch(function (error) {
            remove.disabled = false;
            status.textContent = R.t("Not removed: {error}", { error: R.t(error.message) });
          });
      });
      return tr;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
