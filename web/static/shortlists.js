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
      return "all events";
    }
    return (run.since || "…") + " – " + (run.until || "…");
  }

  function runText(run) {
    if (!run) {
      return "not analysed";
    }
    var text = "run " + run.run + " · " + (run.profile || "?") + " · " + windowText(run);
    text += " · analysed " + (run.analyzed_at || "?");
    return run.kept ? text : text + " (run no longer kept)";
  }

  function standing(field, value) {
    var cell = R.el("td", "standing");
    cell.dataset.field = field;
    var parts = [];
    if (value.run) {
      parts.push(value.rank === null ? "unranked" : "#" + value.rank);
      parts.push(R.formatScore(value.score));
      parts.push(value.role ? value.role.replace(/_/g, " ") : "no role");
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
    cell.title = "ranks climbed since added";
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

    loadIndex();
    if (current) {
      open(current);
    }

    function loadIndex() {
      return R.send("GET", "/api/shortlists?limit=200")
        .then(function (page) {
          clear(index);
          listsStatus.textContent = page.total
            ? page.total + " shortlist" + (page.total === 1 ? "" : "s")
            : "No shortlists yet: add accounts from the Influencers or Network pages.";
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
              R.el("span", "muted", " · " + item.members + " member" + (item.members === 1 ? "" : "s"))
            );
            if (item.id === current) {
              li.classList.add("selected");
            }
            index.appendChild(li);
          });
        })
        .catch(function (error) {
          listsStatus.textContent = "Could not load the shortlists: " + error.message;
        });
    }

    function open(id) {
      current = id;
      window.history.replaceState(null, "", "?id=" + encodeURIComponent(id));
      Array.prototype.forEach.call(index.children, function (li) {
        li.classList.toggle("selected", li.dataset.shortlistId === id);
      });
      membersStatus.textContent = "Loading…";
      return R.send("GET", "/api/shortlists/" + encodeURIComponent(id))
        .then(function (detail) {
          if (current !== id) {
            return;
          }
          card.hidden = false;
          card.dataset.shortlistId = detail.id;
          document.getElementById("shortlist-name").textContent = detail.name;
          var meta = "Updated " + detail.updated_at;
          if (detail.profile) {
            meta += " · started under profile " + detail.profile;
          }
          document.getElementById("shortlist-meta").textContent = meta;
          document.getElementById("shortlist-now").textContent = "Scores now: " + runText(detail.latest_run);
          document.getElementById("shortlist-csv").href =
            "/api/shortlists/" + encodeURIComponent(detail.id) + ".csv";
          clear(body);
          detail.items.forEach(function (member) {
            body.appendChild(row(detail.id, member));
          });
          membersStatus.textContent = detail.items.length
            ? detail.items.length + " member" + (detail.items.length === 1 ? "" : "s")
            : "No members yet.";
        })
        .catch(function (error) {
          card.hidden = false;
          clear(body);
          membersStatus.textContent = "Could not open the shortlist: " + error.message;
        });
    }

    function row(listId, member) {
      var url = "/api/shortlists/" + encodeURIComponent(listId) + "/members/" + encodeURIComponent(member.user_id);
      var tr = R.el("tr");
      tr.dataset.userId = member.user_id;
      var handle = R.el("td", "handle");
      var link = R.el("a", null, R.at(member.handle));
      link.href = "/?focus=" + encodeURIComponent(member.user_id);
      link.title = "Show in the network";
      handle.appendChild(link);
      if (member.name) {
        handle.appendChild(R.el("span", "name", member.name));
      }
      tr.appendChild(handle);
      tr.appendChild(standing("added", member.added));
      tr.appendChild(standing("now", member.now));
      tr.appendChild(change(member.rank_change));
      var reasons = R.el("td");
      var ul = R.el("ul", "reasons");
      (member.reasons || []).forEach(function (reason) {
        ul.appendChild(R.el("li", null, reason));
      });
      reasons.appendChild(ul);
      tr.appendChild(reasons);

      var edit = R.el("td", "member-edit");
      var note = R.el("textarea");
      note.name = "note";
      note.rows = 2;
      note.maxLength = 2000;
      note.value = member.note;
      note.setAttribute("aria-label", "Note for " + R.at(member.handle));
      var tags = R.el("input");
      tags.name = "tags";
      tags.type = "text";
      tags.placeholder = "tags, comma-separated";
      tags.value = (member.tags || []).join(", ");
      tags.setAttribute("aria-label", "Tags for " + R.at(member.handle));
      edit.appendChild(note);
      edit.appendChild(tags);
      tr.appendChild(edit);

      var actions = R.el("td", "member-actions");
      var save = R.el("button", "button primary", "Save");
      save.type = "button";
      save.dataset.action = "save-member";
      var remove = R.el("button", "button quiet", "Remove");
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
        status.textContent = "Saving…";
        R.send("PUT", url, { note: note.value, tags: splitTags(tags.value) })
          .then(function (saved) {
            note.value = saved.note;
            tags.value = saved.tags.join(", ");
            status.textContent = "Saved";
          })
          .catch(function (error) {
            status.textContent = "Not saved: " + error.message;
          })
          .then(function () {
            save.disabled = false;
          });
      });
      remove.addEventListener("click", function () {
        remove.disabled = true;
        status.textContent = "Removing…";
        R.send("DELETE", url)
          .then(function () {
            open(listId);
            loadIndex();
          })
          .catch(function (error) {
            remove.disabled = false;
            status.textContent = "Not removed: " + error.message;
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
