/* MeetingOps: what every page does with JavaScript on. Without it, each of these has
   a plain fallback: the language switch's button, the dropdown's <details>, the
   countdown's server-rendered text. */
(function () {
  "use strict";

  // The language switch submits as soon as a language is picked with the pointer (the
  // <noscript> button does it otherwise). From the keyboard, the arrows only move
  // through the languages (WCAG 3.2.2: no change of page on input alone): Enter, or
  // leaving the list, then submits the language chosen.
  function submitOnChange(root) {
    root.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      var initial = select.value;
      var keyed = false;
      function submit() {
        if (select.value === initial) {
          return;
        }
        initial = select.value;
        if (select.form.requestSubmit) {
          select.form.requestSubmit();
        } else {
          select.form.submit();
        }
      }
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          submit();
        } else if (event.key !== "Tab") {
          keyed = true;
        }
      });
      select.addEventListener("pointerdown", function () {
        keyed = false;
      });
      select.addEventListener("change", function () {
        if (!keyed) {
          submit();
        }
      });
      select.addEventListener("blur", function () {
        if (keyed) {
          keyed = false;
          submit();
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

  // The join link is shown from its sign-in window on until the meeting ends, also
  // when the window opens while the page is open (the server hid it until then).
  function joinLinks(root, now) {
    root.querySelectorAll("[data-join-opens]").forEach(function (element) {
      var opens = Date.parse(element.getAttribute("data-join-opens"));
      var closes = Date.parse(element.getAttribute("data-join-closes"));
      element.hidden = !(now >= opens && now < closes);
    });
  }

  function countdowns(root) {
    var elements = root.querySelectorAll("[data-countdown-start]");
    if (!elements.length) {
      return;
    }
    function refresh() {
      var now = Date.now();
      joinLinks(root, now);
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

  // A secret shown once is selected whole when focused, ready to copy.
  function selectOnFocus(root) {
    root.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () {
        input.select();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    submitOnChange(document);
    selectOnFocus(document);
    dropdowns(document);
    countdowns(document);
  });
})();
