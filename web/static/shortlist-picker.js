/*
 * Resonance: the "Add to shortlist" picker shared by the influencer table and the network view.
 * Loading this script turns the shortlist buttons on (window.RESONANCE_SHORTLISTS); it answers
 * the "resonance:shortlist" event ({ids, handle}) with a small panel: pick an existing shortlist
 * or name a new one, then PUT each account as a member. User text goes through textContent and
 * form values only.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  window.RESONANCE_SHORTLISTS = true;

  var el = R.el;

  var picker = null;

  function build() {
    var box = el("section", "shortlist-picker");
    box.id = "shortlist-picker";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", R.t("Add to shortlist"));
    box.hidden = true;
    var title = el("h2", null, R.t("Add to shortlist"));
    title.dataset.field = "picker-title";
    var chooseLabel = el("label", null, R.t("Shortlist") + " ");
    var select = el("select");
    select.name = "shortlist";
    chooseLabel.appendChild(select);
    var nameLabel = el("label", null, R.t("New list name") + " ");
    var name = el("input");
    name.name = "shortlist-name";
    name.type = "text";
    name.maxLength = 200;
    name.placeholder = "e.g. Spring campaign";
    nameLabel.appendChild(name);
    var actions = el("div", "picker-actions");
    var add = el("button", "button primary", R.t("Add"));
    add.type = "button";
    add.dataset.action = "picker-add";
    var cancel = el("button", "button quiet", R.t("Cancel"));
    cancel.type = "button";
    cancel.dataset.action = "picker-cancel";
    var link = el("a", "button quiet", R.t("Open shortlists"));
    link.href = "/shortlists";
    actions.appendChild(add);
    actions.appendChild(cancel);
    actions.appendChild(link);
    var status = el("p", "muted");
    status.dataset.field = "picker-status";
    status.setAttribute("aria-live", "polite");
    box.appendChild(title);
    box.appendChild(chooseLabel);
    box.appendChild(nameLabel);
    box.appendChild(actions);
    box.appendChild(status);
    document.body.appendChild(box);

    var state = { ids: [], busy: false };
    select.addEventListener("change", function () {
      nameLabel.hidden = select.value !== "";
    });
    cancel.addEventListener("click", function () {
      box.hidden = true;
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        box.hidden = true;
      }
    });
    add.addEventListener("click", function () {
      if (state.busy || !state.ids.length) {
        return;
      }
      var chosen = select.value;
      var newName = name.value.trim();
      if (!chosen && !newName) {
        status.textContent = R.t("Choose a shortlist or type a name for a new one.");
        name.focus();
        return;
      }
      state.busy = true;
      add.disabled = true;
      status.textContent = R.t("Adding…");
      var target = chosen
        ? Promise.resolve({ id: chosen, name: select.options[select.selectedIndex].textContent })
        : R.send("POST", "/api/shortlists", { name: newName });
      var listName = "";
      target
        .then(function (list) {
          listName = list.name;
          return R.send("GET", "/api/shortlists/" + encodeURIComponent(list.id)).then(function (detail) {
            var present = {};
            (detail.items || []).forEach(function (member) {
              present[member.user_id] = true;
            });
            var fresh = state.ids.filter(function (id) {
              return !present[id];
            });
            return Promise.all(
              fresh.map(function (id) {
                return R.send(
                  "PUT",
                  "/api/shortlists/" + encodeURIComponent(list.id) + "/members/" + encodeURIComponent(id),
                  { note: "", tags: [] }
                );
              })
            ).then(function () {
              return { list: list, added: fresh.length };
            });
          });
        })
        .then(function (result) {
          status.textContent = result.added
            ? R.t("Added to “{name}”.", { name: listName })
            : R.t("Already on “{name}”.", { name: listName });
          box.dataset.shortlistId = result.list.id;
          return refresh(result.list.id);
        })
        .catch(function (error) {
          status.textContent = R.t("Could not add: {error}", { error: R.t(error.message) });
        })
        .then(function () {
          state.busy = false;
          add.disabled = false;
        });
    });

    function refresh(selected) {
      return R.send("GET", "/api/shortlists?limit=200").then(function (page) {
        R.clear(select);
        var fresh = el("option", null, R.t("New shortlist…"));
        fresh.value = "";
        select.appendChild(fresh);
        page.items.forEach(function (item) {
          var option = el("option", null, item.name);
          option.value = item.id;
          select.appendChild(option);
        });
        select.value = selected || "";
        if (select.value !== (selected || "")) {
          select.value = "";
        }
        nameLabel.hidden = select.value !== "";
      });
    }

    return {
      open: function (ids, handle) {
        state.ids = ids;
        title.textContent = handle ? R.t("Add {handle} to a shortlist", { handle: handle }) : R.t("Add to shortlist");
        status.textContent = "";
        name.value = "";
        box.hidden = false;
        refresh(select.value)
          .catch(function (error) {
            status.textContent = R.t("Could not load the shortlists: {error}", { error: R.t(error.message) });
          })
          .then(function () {
            (select.value ? select : name).focus();
          });
      },
    };
  }

  document.addEventListener("resonance:shortlist", function (event) {
    var detail = event.detail || {};
    var ids = (detail.ids || []).map(String).filter(Boolean);
    if (!ids.length) {
      return;
    }
    if (!picker) {
      picker = build();
    }
    picker.open(ids, detail.handle ? String(detail.handle) : "");
  });
})();
