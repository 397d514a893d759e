/* Book a meeting (BK-1, BK-8, BK-9): the room list and the series preview follow what is
   typed (htmx fetches them on the "book:changed" event sent here), the end time shows
   only for "Until an end time", the repeat options only for a series, and the
   colleagues' type-ahead adds a person to the attendees box. Without this file the form
   still works: every field is visible and "Find rooms" re-renders the page. */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function refresh(target) {
    if (target && window.htmx) {
      window.htmx.trigger(target, "book:changed");
    }
  }

  ready(function () {
    var form = document.getElementById("book-form");
    if (!form) {
      return;
    }
    var rooms = document.getElementById("book-rooms");
    var preview = document.getElementById("book-preview");

    function follow(event) {
      var field = event.target;
      if (rooms && rooms.contains(field)) {
        if (field.name === "rooms_all") {
          refresh(rooms);
          return;
        }
        if (field.name === "room") {
          // A room is chosen now: the note that the one chosen before is not free goes.
          var stale = rooms.querySelector("[data-testid=room-not-free]");
          if (stale) {
            stale.remove();
          }
          refresh(preview);
        }
        return;
      }
      var follows = (field.getAttribute && field.getAttribute("data-follow")) || "";
      if (follows.indexOf("rooms") !== -1) {
        refresh(rooms);
      } else if (follows.indexOf("preview") !== -1) {
        refresh(preview);
      }
    }
    form.addEventListener("change", follow);
    form.addEventListener("input", function (event) {
      // Typing in a number or time box: follow it as it is typed, once htmx's delay has
      // passed; a checkbox or a radio button says "change", which is enough.
      if (event.target.type === "number" || event.target.type === "time") {
        follow(event);
      }
    });
    if (rooms) {
      // The room chosen may have left the list: the preview follows the list.
      rooms.addEventListener("htmx:afterSwap", function () {
        refresh(preview);
      });
    }

    // The end time matters only for "Until an end time"; the repeat options only for a series.
    var duration = form.elements.namedItem("duration");
    var endBox = form.querySelector("[data-end-time]");
    var repeat = form.elements.namedItem("repeat");
    var repeatBox = form.querySelector("[data-repeat-options]");
    function showWhatMatters() {
      if (duration && endBox) {
        endBox.hidden = duration.value !== "end";
      }
      if (repeat && repeatBox) {
        repeatBox.hidden = repeat.value === "none";
      }
    }
    form.addEventListener("change", showWhatMatters);
    showWhatMatters();

    // The colleagues' type-ahead: a datalist of people the server finds as one types.
    var search = form.querySelector("[data-people-search]");
    var attendees = form.elements.namedItem("attendees");
    if (!search || !attendees) {
      return;
    }
    search.hidden = false;
    var input = search.querySelector("input");
    var add = search.querySelector("[data-people-add]");
    var status = search.querySelector("[data-people-status]");

    function options() {
      var list = document.getElementById("people-options");
      return list ? Array.prototype.map.call(list.options, function (o) { return o.value; }) : [];
    }

    function entryToAdd() {
      var value = input.value.trim();
      if (!value) {
        return "";
      }
      var offered = options();
      if (offered.indexOf(value) !== -1 || value.indexOf("@") !== -1) {
        return value;
      }
      return offered.length === 1 ? offered[0] : "";
    }

    function addPerson() {
      var entry = entryToAdd();
      if (!entry) {
        return false;
      }
      var lines = attendees.value.split(/[,;\n]+/).map(function (l) { return l.trim(); });
      if (lines.indexOf(entry) === -1) {
        attendees.value = lines.filter(Boolean).concat([entry]).join("\n");
      }
      input.value = "";
      if (status) {
        status.textContent = status.getAttribute("data-added-text")
          ? status.getAttribute("data-added-text").replace("{person}", entry)
          : entry;
      }
      return true;
    }

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter in the search box adds the person; it never sends the form.
        event.preventDefault();
        addPerson();
      }
    });
    input.addEventListener("change", function () {
      // A person picked from the list (not a half-typed name left behind).
      if (options().indexOf(input.value.trim()) !== -1) {
        addPerson();
      }
    });
    if (add) {
      add.addEventListener("click", addPerson);
    }
  });
})();
