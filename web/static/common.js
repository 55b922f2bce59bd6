/*
 * Resonance: helpers shared by the explorer's pages. User text only ever reaches the DOM
 * through textContent or attribute setters (never innerHTML).
 */
(function () {
  "use strict";

  var FILTERS = ["topic", "role", "community", "min_score", "q", "since", "until"];
  /* Sent with every change: the server accepts a change carried by the login cookie only with
     this header, which another site cannot add (no CORS), as a second guard after SameSite. */
  var REQUESTED_WITH = "Resonance";
  var RELOGIN = "Not logged in, or the session expired: reload the page to log in again.";

  /* An element with optional class and text (set with textContent). */
  /* The page's language and its catalogue (web/i18n.py embeds them as JSON in every page):
     t(text, params) is the text in the page's language, its {name}s filled from params. */
  var I18N = (function () {
    var block = document.getElementById("i18n");
    try {
      return JSON.parse((block && block.textContent) || "{}");
    } catch (error) {
      return {};
    }
  })();
  var LOCALE = I18N.locale || "en";
  var MESSAGES = I18N.messages || {};
  var PATTERNS = (I18N.patterns || []).map(function (key) {
    var names = [];
    var source = key.split(/(\{\w+\})/).map(function (part) {
      var name = /^\{(\w+)\}$/.exec(part);
      if (name) {
        names.push(name[1]);
        return "(.+?)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("");
    return { pattern: new RegExp("^" + source + "$"), names: names, key: key };
  });

  function fill(text, params) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
    });
  }

  /* A text the server wrote from one of its templates (an account's reasons), in the page's
     language: the template it matches, translated, with the same values. */
  function filled(text, depth) {
    for (var i = 0; i < PATTERNS.length; i++) {
      var found = PATTERNS[i].pattern.exec(text);
      if (found && Object.prototype.hasOwnProperty.call(MESSAGES, PATTERNS[i].key)) {
        var values = {};
        PATTERNS[i].names.forEach(function (name, j) {
          // A value may itself be a server text (a window's step): translated too.
          var value = found[j + 1];
          var inner = Object.prototype.hasOwnProperty.call(MESSAGES, value) ? MESSAGES[value] : (depth < 2 ? filled(value, depth + 1) : null);
          values[name] = inner === null ? value : inner;
        });
        return fill(MESSAGES[PATTERNS[i].key], values);
      }
    }
    return null;
  }

  function t(text, params) {
    if (Object.prototype.hasOwnProperty.call(MESSAGES, text)) {
      return fill(MESSAGES[text], params);
    }
    var written = params ? null : filled(String(text), 0);
    return written === null ? fill(text, params) : written;
  }

  /* A number as the page's language writes it (1,234.5 / 1 234,5). */
  function number(value, digits) {
    var options = digits === undefined ? {} : { maximumFractionDigits: digits };
    return Number(value).toLocaleString(LOCALE, options);
  }

  /* An ISO time as the page's language writes it (UTC): 2026-12-02 13:30 in English, the
     French way in French. */
  function date(iso) {
    if (!iso) {
      return "—";
    }
    var text = String(iso);
    var when = new Date(text);
    if (LOCALE === "en" || isNaN(when.getTime())) {
      return text.replace("T", " ").replace(/:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/, "");
    }
    var dateOnly = /^\d{4}-\d\d-\d\d$/.test(text);
    var options = dateOnly ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" };
    return new Intl.DateTimeFormat(LOCALE, options).format(when);
  }

  /* `one` or `other` (English keys with a {count}) as the page's language counts: French says
     "0 amplificateur", English "0 amplifiers". */
  function plural(count, one, other, params) {
    var rule = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LOCALE).select(Number(count)) : count === 1 ? "one" : "other";
    return t(rule === "one" ? one : other, Object.assign({ count: number(count) }, params || {}));
  }

  /* The language switch on every page: remembered in a cookie (a year), then the page again. */
  Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
    button.addEventListener("click", function () {
      document.cookie = "resonance_lang=" + encodeURIComponent(button.dataset.lang) +
        "; Path=/; Max-Age=31536000; SameSite=Lax";
      window.location.reload();
    });
  });

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

  var SVG = "http://www.w3.org/2000/svg";

  /* An SVG element with the given attributes (each set as a string). */
  function svg(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, String(attributes[name]));
    });
    return node;
  }

  /* Remove every child of `node` (null is left alone). */
  function clear(node) {
    while (node && node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  /* Request headers: Accept JSON, plus the change header; `extra` adds more. */
  function headers(extra) {
    var result = { Accept: "application/json", "X-Requested-With": REQUESTED_WITH };
    Object.keys(extra || {}).forEach(function (name) {
      result[name] = extra[name];
    });
    return result;
  }

  function getJSON(url) {
    return fetch(url, { headers: headers(), credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) {
        throw new Error(RELOGIN);
      }
      if (!response.ok) {
        throw new Error(url + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  /* One item of a validation 422's list: "field: what is wrong". */
  function fieldError(item) {
    var place = ((item && item.loc) || []).filter(function (part) {
      return part !== "body";
    });
    return (place.length ? place.join(".") + ": " : "") + t((item && item.msg) || "invalid");
  }

  /* A JSON request; a refusal becomes an Error carrying the API's {"detail"} (or the status). */
  function send(method, url, body) {
    var init = { method: method, headers: headers(), credentials: "same-origin" };
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
            if (Array.isArray(detail)) {
              detail = detail.map(fieldError).join("; ") || null;
            }
            var error = new Error(
              response.status === 401 ? RELOGIN : typeof detail === "string" ? detail : "HTTP " + response.status
            );
            error.status = response.status;
            throw error;
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
      return Math.round(value).toLocaleString(LOCALE);
    }
    // Three significant digits, as the server's format_score, written as the page's language.
    return Number(Number(value).toPrecision(3)).toLocaleString(LOCALE, { maximumFractionDigits: 20 });
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
            addOption(community, String(item.community), item.community + " · " + t(item.label || "") + " (" + number(item.size) + ")", false);
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

  /* Run the analysis for [since, until] as a job, with the profile of the scores on screen (the
     latest analysis's; "default" before any), showing its progress in `status`; resolves when
     it is done, rejects with the job's error (error.cancelled when it was cancelled).
     `started(job)`, when given, is called once the job exists (to offer its Cancel).
     `chosenProfile`, when given, is the profile to score with instead. */
  function analyseWindow(since, until, status, started, chosenProfile) {
    var profiled = chosenProfile
      ? Promise.resolve(chosenProfile)
      : getJSON("/api/analysis").then(function (latest) {
          return latest.profile || "default";
        }, function () {
          return "default";
        });
    return profiled
      .then(function (profile) {
        var body = { since: since || null, until: until || null, profile: profile };
        return send("POST", "/api/jobs/analyze", body);
      })
      .then(function (job) {
        if (started) {
          started(job);
        }
        return pollJob(job.id, 500, function (current) {
          status.textContent =
            t("Analysing: {percent}% {message}", { percent: Math.round(100 * (current.progress || 0)), message: t(current.message || "") });
        });
      });
  }

  /* Poll GET /api/jobs/{id} every `everyMs`, calling `progress(job)` each time; resolves with the
     job once done, rejects with its error (error.cancelled when it was cancelled). */
  function pollJob(jobId, everyMs, progress) {
    return new Promise(function (resolve, reject) {
      (function poll() {
        getJSON("/api/jobs/" + encodeURIComponent(jobId)).then(function (current) {
          progress(current);
          if (current.state === "done") {
            resolve(current);
          } else if (current.state === "cancelled") {
            var stopped = new Error("cancelled");
            stopped.cancelled = true;
            reject(stopped);
          } else if (current.state === "failed" || current.state === "interrupted") {
            reject(new Error(current.error || current.message || current.state));
          } else {
            window.setTimeout(poll, everyMs);
          }
        }, reject);
      })();
    });
  }

  /* The notice under the filters when the window asked for is not the analysed one: its text,
     and its button, which analyses that window and then calls `done` (default: reload). */
  function showWindowNotice(text, since, until, done) {
    var notice = document.getElementById("window-notice");
    if (!notice) {
      return;
    }
    notice.querySelector("[data-field='text']").textContent = text;
    notice.dataset.since = since || "";
    notice.dataset.until = until || "";
    notice.hidden = false;
    notice.onDone = done;
  }

  function hideWindowNotice() {
    var notice = document.getElementById("window-notice");
    if (notice) {
      notice.hidden = true;
    }
  }

  /* Cancel a running job (DELETE /api/jobs/{id}); it ends "cancelled" at its next step. */
  function cancelJob(jobId) {
    return send("DELETE", "/api/jobs/" + encodeURIComponent(jobId));
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-action='analyse-window']"), function (button) {
    button.addEventListener("click", function () {
      var notice = document.getElementById("window-notice");
      var progress = notice.querySelector("[data-field='progress']");
      var cancel = notice.querySelector("[data-action='cancel-job']");
      function ended() {
        button.disabled = false;
        if (cancel) {
          cancel.hidden = true;
          cancel.onclick = null;
        }
      }
      button.disabled = true;
      analyseWindow(notice.dataset.since, notice.dataset.until, progress, function (job) {
        if (!cancel) {
          return;
        }
        cancel.disabled = false;
        cancel.hidden = false;
        cancel.onclick = function () {
          cancel.disabled = true;
          progress.textContent = t("Cancelling…");
          cancelJob(job.id).catch(function (error) {
            progress.textContent = t("Could not cancel: {error}", { error: t(error.message) });
          });
        };
      }).then(
        function () {
          ended();
          progress.textContent = t("Done.");
          (notice.onDone || function () { window.location.reload(); })();
          notice.hidden = true;
        },
        function (error) {
          ended();
          progress.textContent = error.cancelled
            ? t("Cancelled: the scores shown are unchanged.")
            : t("The analysis failed: {error}", { error: t(error.message) });
        }
      );
    });
  });

  /* The nav's "Log out" (shown when logged in): clear the session cookie, then go to /login. */
  function logOut() {
    fetch("/logout", { method: "POST", headers: headers(), credentials: "same-origin", redirect: "manual" })
      .catch(function () {})
      .then(function () {
        window.location.assign("/login");
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-action='logout']"), function (button) {
    button.addEventListener("click", logOut);
  });

  window.Resonance = {
    locale: LOCALE,
    t: t,
    number: number,
    plural: plural,
    date: date,
    FILTERS: FILTERS,
    RELOGIN: RELOGIN,
    el: el,
    svg: svg,
    clear: clear,
    headers: headers,
    getJSON: getJSON,
    send: send,
    formatScore: formatScore,
    at: at,
    filterParams: filterParams,
    loadFilterChoices: loadFilterChoices,
    applyParams: applyParams,
    analyseWindow: analyseWindow,
    pollJob: pollJob,
    cancelJob: cancelJob,
    showWindowNotice: showWindowNotice,
    hideWindowNotice: hideWindowNotice,
  };
})();
