/*
 * Resonance: an account's move between two rankings, as the runs page and the profile page
 * draw it (GET /api/runs/compare, /api/runs/risers, /api/profiles/compare): rank, handle,
 * earlier rank, change, roles, amplifiers, reasons gained and lost. Text reaches the DOM
 * through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;

  function roleName(role) {
    return role ? R.t(String(role).replace(/_/g, " ")) : "—";
  }

  function number(value) {
    return value === null || value === undefined ? "—" : R.number(value);
  }

  function rank(value) {
    return value === null || value === undefined ? "—" : "#" + value;
  }

  /* The rank change as a signed number, "new" for an account not ranked before. */
  function changeCell(item) {
    if (item.earlier_rank === null || item.earlier_rank === undefined) {
      return R.el("td", "num up", R.t("new"));
    }
    var gain = item.gain || 0;
    return R.el("td", "num" + (gain > 0 ? " up" : gain < 0 ? " down" : ""), gain > 0 ? "+" + gain : gain === 0 ? "=" : String(gain));
  }

  function handleCell(item) {
    var cell = R.el("td", "handle");
    var link = R.el("a", null, R.at(item.handle));
    link.href = "/?focus=" + encodeURIComponent(item.id);
    link.title = R.t("Show in the network");
    cell.appendChild(link);
    return cell;
  }

  function empty(body, columns, text) {
    var cell = R.el("td", "muted", text);
    cell.colSpan = columns;
    body.appendChild(R.el("tr")).appendChild(cell);
  }

  /* A row of an account's move between the runs: its rank, handle and earlier rank. */
  function reasonsCell(item) {
    // What the later run says of the account that the earlier did not, and what it dropped.
    var cell = R.el("td", "reasons");
    var list = cell.appendChild(R.el("ul", "changes"));
    (item.reasons_gained || []).forEach(function (reason) {
      list.appendChild(R.el("li", "gained", "+ " + R.t(reason)));
    });
    (item.reasons_lost || []).forEach(function (reason) {
      list.appendChild(R.el("li", "lost", "\u2212 " + R.t(reason)));
    });
    return cell;
  }

  function movementRow(item) {
    var tr = R.el("tr");
    tr.dataset.userId = item.id;
    tr.appendChild(R.el("td", "num", rank(item.rank)));
    tr.appendChild(handleCell(item));
    tr.appendChild(R.el("td", "num", rank(item.earlier_rank)));
    return tr;
  }

  function showCompare(result, body) {
    R.clear(body);
    result.items.forEach(function (item) {
      var tr = movementRow(item);
      tr.appendChild(changeCell(item));
      tr.appendChild(R.el("td", "role", roleName(item.earlier_role)));
      tr.appendChild(R.el("td", "role", roleName(item.role)));
      tr.appendChild(R.el("td", "num", number(item.earlier_amplifiers)));
      tr.appendChild(R.el("td", "num", number(item.amplifiers)));
      tr.appendChild(reasonsCell(item));
      body.appendChild(tr);
    });
    if (!result.items.length) {
      empty(body, 9, R.t("The later run ranked no one."));
    }
  }

  function showRisers(result, body) {
    R.clear(body);
    result.items.forEach(function (item) {
      var tr = movementRow(item);
      tr.appendChild(R.el("td", "num up", "+" + item.gain));
      tr.appendChild(R.el("td", "role", roleName(item.role)));
      tr.appendChild(R.el("td", "num", number(item.amplifiers)));
      body.appendChild(tr);
    });
    if (!result.items.length) {
      empty(body, 6, R.t("No account with that audience climbed."));
    }
  }

  window.ResonanceMovements = {
    empty: empty,
    number: number,
    showCompare: showCompare,
    showRisers: showRisers,
  };
})();
