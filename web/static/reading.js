/*
 * Resonance: what to read and whom to follow (GET /api/users/{id}/reading,
 * /api/shortlists/{id}/reading), drawn the same way on the network's side panel and on the
 * shortlist page: each lookalike voice, with the amplifiers it shares, and its most-amplified
 * posts on the topics named. Text reaches the DOM through textContent only.
 */
(function () {
  "use strict";

  var R = window.Resonance;
  var MAX_TEXT = 180;

  function shortText(text) {
    var clean = String(text || "").replace(/\s+/g, " ").trim();
    return clean.length > MAX_TEXT ? clean.slice(0, MAX_TEXT - 1) + "…" : clean || R.t("(no text)");
  }

  /* Fill `target` with the reading list `found`; `follow(id)` is called when a voice is
     clicked (no link when it is not given). */
  function draw(target, found, follow) {
    R.clear(target);
    var topics = found.topics && found.topics.length ? found.topics.join(", ") : R.t("any topic");
    target.appendChild(R.el("p", "muted", R.t("Posts on {topics}.", { topics: topics })));
    if (!found.voices.length) {
      target.appendChild(R.el("p", "muted", R.t("No voice shares this audience yet.")));
      return;
    }
    var list = target.appendChild(R.el("ol", "reading-voices"));
    found.voices.forEach(function (entry) {
      var account = entry.voice.account;
      var item = list.appendChild(R.el("li", "reading-voice"));
      item.dataset.userId = account.id;
      var head = item.appendChild(R.el("p", "voice"));
      if (follow) {
        var link = head.appendChild(R.el("a", "handle", R.at(account.handle)));
        link.href = "/?focus=" + encodeURIComponent(account.id);
        link.addEventListener("click", function (event) {
          event.preventDefault();
          follow(account.id);
        });
      } else {
        head.appendChild(R.el("span", "handle", R.at(account.handle)));
      }
      head.appendChild(R.el("span", "muted", " · " + R.plural(entry.voice.shared, "{count} shared amplifier", "{count} shared amplifiers")));
      if (!entry.posts.length) {
        item.appendChild(R.el("p", "muted", R.t("No amplified post on these topics.")));
        return;
      }
      var posts = item.appendChild(R.el("ul", "reading-posts"));
      entry.posts.forEach(function (post) {
        var line = posts.appendChild(R.el("li"));
        line.dataset.postId = post.id;
        line.appendChild(R.el("span", "post-text", shortText(post.text)));
        line.appendChild(R.el("span", "muted", " · " + R.plural(post.amplifiers, "{count} amplifier", "{count} amplifiers") +
          (post.topics.length ? " · " + post.topics.join(", ") : "")));
      });
    });
  }

  window.ResonanceReading = { draw: draw };
})();
