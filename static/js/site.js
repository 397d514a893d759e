/* MeetingOps: what every page does with JavaScript on. Without it, each of these has
   a plain fallback: the language switch's button, the dropdown's <details>, the
   countdown's server-rendered text. */
(function () {
  "use strict";

  // The language switch submits as soon as a language is chosen (the <noscript>
  // button does it otherwise).
  function submitOnChange(root) {
    root.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form.requestSubmit) {
          select.form.requestSubmit();
        } else {
          select.form.submit();
        }
      });
    });
  }

  // Dropdowns (<details class="dropdown">): Escape closes the open one and gives the
  // focus back to its summary; a click elsewhere closes it.
  function dropdowns(root) {
    root.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      root.querySelectorAll("details.dropdown[open]").forEach(function (details) {
        details.removeAttribute("open");
        details.querySelector("summary").focus();
      });
    });
    root.addEventListener("click", function (event) {
      root.querySelectorAll("details.dropdown[open]").forEach(function (details) {
        if (!details.contains(event.target)) {
          details.removeAttribute("open");
        }
      });
    });
  }

  // Countdowns: <span data-countdown-start="ISO" data-countdown-end="ISO"> with the
  // sentences as data attributes (translated by the server, placeholders %(days)s,
  // %(hours)s, %(minutes)s), refreshed each minute. The server's text is the same
  // sentence for the moment the page was made.
  function countdownText(element, now) {
    var start = Date.parse(element.dataset.countdownStart);
    var end = Date.parse(element.dataset.countdownEnd);
    if (isNaN(start) || isNaN(end)) {
      return null;
    }
    if (now >= end) {
      return element.dataset.textEnded;
    }
    if (now >= start) {
      return element.dataset.textUnderWay;
    }
    // Whole minutes, rounded up: "starts in 1 min" until it starts.
    var minutes = Math.ceil((start - now) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    var template;
    if (days > 0) {
      template = element.dataset.textDays;
    } else if (hours > 0) {
      template = element.dataset.textHours;
    } else {
      template = element.dataset.textMinutes;
    }
    return template
      .replace("%(days)s", String(days))
      .replace("%(hours)s", String(hours))
      .replace("%(minutes)s", String(rest));
  }

  function countdowns(root) {
    var elements = root.querySelectorAll("[data-countdown-start]");
    if (!elements.length) {
      return;
    }
    function refresh() {
      var now = Date.now();
      elements.forEach(function (element) {
        var text = countdownText(element, now);
        if (text && element.textContent !== text) {
          element.textContent = text;
        }
      });
    }
    refresh();
    window.setInterval(refresh, 60000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    submitOnChange(document);
    dropdowns(document);
    countdowns(document);
  });
})();
