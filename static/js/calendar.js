/* BK-9: the room finder's calendars, drawn by the vendored EventCalendar over the JSON
   of the page's `events` route (the day's page carries it in the page). The page works without this file (its table lists busy
   times and free slots as links); this draws the same data as rooms x hours, lets a
   click or a drag on a free time open the booking form filled in, and re-reads the
   day when the filters change.

   Times arrive as the user's wall clock without an offset (the user's zone may not be
   the browser's): EventCalendar draws them as they are, and the booking form reads the
   date and times it is given in the user's zone. */
(function () {
  "use strict";

  var HOUR = 60 * 60 * 1000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // "2026-12-09T10:00:00" -> a Date whose local fields are that wall clock.
  function wall(text) {
    var p = text.split(/[-T:]/).map(Number);
    return new Date(p[0], p[1] - 1, p[2], p[3] || 0, p[4] || 0, p[5] || 0);
  }
  function day(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function clock(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()); }

  function freeSlots(data) {
    return data.free.map(function (slot) {
      return { room: String(slot.room), start: wall(slot.start), end: wall(slot.end) };
    });
  }

  // The free slot of `room` that holds [start, end), or null.
  function slotHolding(slots, room, start, end) {
    for (var i = 0; i < slots.length; i++) {
      var s = slots[i];
      if (s.room === room && s.start <= start && end <= s.end) { return s; }
    }
    return null;
  }

  function bookUrl(data, room, start, end) {
    var query = new URLSearchParams({ room: room, date: day(start), start: clock(start), end: clock(end) });
    return data.bookUrl + "?" + query.toString();
  }

  function say(widget, text) {
    var status = widget.querySelector("[data-calendar-status]");
    if (status) { status.textContent = text; }
  }

  // Each meeting's text: its time, its title ("My meeting: …" or "Busy") and status,
  // so that mine and busy are told by words as well as by colour.
  function eventContent(info) {
    var props = info.event.extendedProps || {};
    var nodes = [];
    // A meeting with a page is a real link (keyboard, screen readers, a new tab).
    var title = document.createElement(props.url ? "a" : "span");
    title.className = "mo-event-title";
    title.textContent = info.event.title;
    if (props.url) {
      title.href = props.url;
    }
    if (props.kind === "meeting") {
      var time = document.createElement("span");
      time.className = "mo-event-time";
      time.textContent = clock(info.event.start) + "–" + clock(info.event.end) + " ";
      nodes.push(time, title);
      if (props.room) {
        var room = document.createElement("span");
        room.textContent = " · " + props.room;
        nodes.push(room);
      }
      if (props.statusLabel) {
        var status = document.createElement("span");
        status.className = "status status-" + props.status;
        status.textContent = props.statusLabel;
        nodes.push(document.createTextNode(" "), status);
      }
    } else {
      nodes.push(title);
    }
    return { domNodes: nodes };
  }

  // EventCalendar marks its layout with table roles (table, row, cell...) in an order
  // that is no table (axe: aria-required-children, aria-required-parent). The page's
  // own table says the same as an accessible table; the drawing keeps no grid roles,
  // only its meetings as text and links.
  var GRID_ROLES = ["table", "grid", "row", "rowgroup", "columnheader", "rowheader", "cell", "gridcell"];
  var GRID_ATTRIBUTES = ["aria-colindex", "aria-colspan"];
  var GRID_SELECTOR = GRID_ROLES.map(function (role) { return '[role="' + role + '"]'; })
    .concat(GRID_ATTRIBUTES.map(function (name) { return "[" + name + "]"; })).join(",");

  function unroleGrid(box) {
    box.querySelectorAll(GRID_SELECTOR).forEach(function (el) {
      if (GRID_ROLES.indexOf(el.getAttribute("role")) >= 0) { el.removeAttribute("role"); }
      GRID_ATTRIBUTES.forEach(function (name) { el.removeAttribute(name); });
    });
  }

  function keepUnroled(box) {
    unroleGrid(box);
    new MutationObserver(function () { unroleGrid(box); }).observe(box, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["role"].concat(GRID_ATTRIBUTES),
    });
  }

  // EventCalendar's markup, made readable to assistive technology: a meeting is text,
  // its title a link when it has a page (eventContent); not the buttons EventCalendar
  // makes of them, nor links by role on an <article> (axe: aria-allowed-role).
  function eventDidMount(info) {
    var el = info.el;
    el.setAttribute("title", el.textContent.trim());
    el.removeAttribute("role");
    el.removeAttribute("tabindex");
    var link = el.querySelector("a.mo-event-title");
    if (link) {
      link.setAttribute("aria-label", el.textContent.trim());
    }
  }

  // The page's JSON as EventCalendar's resources and events. A meeting's kind (mine,
  // busy, other) is its class and, in its title, its words.
  function resourcesOf(data) {
    return data.rooms.map(function (room) {
      return { id: String(room.id), title: room.title, extendedProps: { url: room.url } };
    });
  }

  function eventsOf(data) {
    var onRooms = data.view === "day";
    var events = data.meetings.map(function (m) {
      var event = {
        id: "o" + m.id,
        start: m.start,
        end: m.end,
        title: m.title,
        classNames: ["mo-event", "mo-" + m.kind],
        extendedProps: {
          kind: "meeting",
          url: m.url,
          status: m.status,
          statusLabel: data.statusLabels[m.status] || m.status,
          room: m.roomName || "",
        },
      };
      if (onRooms) { event.resourceId = String(m.room); }
      return event;
    });
    data.unavailable.forEach(function (period, index) {
      var event = {
        id: "u" + index,
        start: period.start,
        end: period.end,
        title: period.title,
        display: "background",
        classNames: ["mo-unavailable"],
        extendedProps: { kind: "unavailable" },
      };
      if (onRooms) { event.resourceIds = period.rooms.map(String); }
      events.push(event);
    });
    return events;
  }

  function options(data, widget) {
    var slots = freeSlots(data);
    var resourceView = data.view === "day";
    var bookable = data.view !== "mine";
    // The room of a week of one room: its free slots name it.
    var onlyRoom = data.free.length ? String(data.free[0].room) : null;

    function roomOf(info) { return info.resource ? String(info.resource.id) : onlyRoom; }

    function open(room, start, end) {
      var slot = room && slotHolding(slots, room, start, end);
      if (!slot) {
        say(widget, data.labels.notFree);
        return false;
      }
      window.location.assign(bookUrl(data, room, start, end));
      return true;
    }

    return {
      view: resourceView ? "resourceTimelineDay" : "timeGridWeek",
      date: data.date,
      locale: data.locale,
      firstDay: 1,
      headerToolbar: { start: "", center: "", end: "" },
      resources: resourcesOf(data),
      events: eventsOf(data),
      slotMinTime: data.slotMinTime,
      slotMaxTime: data.slotMaxTime,
      slotDuration: "00:30",
      slotWidth: 40,
      allDaySlot: false,
      nowIndicator: false,
      // The box scrolls (and takes the keyboard: tabindex), never a region inside it.
      height: "auto",
      // A week's hour is 80 px high: an hour's meeting shows its time, title and status.
      slotHeight: resourceView ? 24 : 40,
      selectable: bookable,
      unselectAuto: true,
      pointer: bookable,
      eventStartEditable: false,
      eventDurationEditable: false,
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventContent: eventContent,
      // A room's name opens its week.
      resourceLabelContent: function (info) {
        var props = info.resource.extendedProps || {};
        if (!props.url) { return info.resource.title; }
        var link = document.createElement("a");
        link.href = props.url;
        link.textContent = info.resource.title;
        return { domNodes: [link] };
      },
      eventDidMount: eventDidMount,
      eventClassNames: function (info) { return info.event.classNames || []; },
      eventClick: function (info) {
        var url = info.event.extendedProps && info.event.extendedProps.url;
        if (url) { window.location.assign(url); }
      },
      dateClick: function (info) {
        if (!bookable) { return; }
        var room = roomOf(info);
        var start = info.date;
        // An hour, or up to the end of the free slot the click falls in.
        var slot = room && slotHolding(slots, room, start, new Date(start.getTime() + 1));
        if (!slot) { say(widget, data.labels.notFree); return; }
        var end = new Date(Math.min(start.getTime() + HOUR, slot.end.getTime()));
        open(room, start, end);
      },
      select: function (info) {
        if (!bookable) { return; }
        if (!open(roomOf(info), info.start, info.end)) {
          var calendar = calendarOf(widget);
          if (calendar) { calendar.unselect(); }
        }
      },
    };
  }

  // The day's hours fill the box's width (Outlook's and Google's room timelines do), a
  // half hour never narrower than MIN_SLOT px: past that the box scrolls sideways.
  var MIN_SLOT = 40;
  function minutes(text) {
    var p = String(text).split(":").map(Number);
    return (p[0] || 0) * 60 + (p[1] || 0);
  }
  function fitSlots(box, calendar, data) {
    var halfHours = Math.max(1, (minutes(data.slotMaxTime) - minutes(data.slotMinTime)) / 30);
    var current = MIN_SLOT;
    function fit() {
      var sidebar = box.querySelector(".ec-body .ec-sidebar");
      if (!sidebar || !box.clientWidth) { return; }
      var free = box.clientWidth - sidebar.getBoundingClientRect().width - 6;
      var width = Math.max(MIN_SLOT, Math.floor(free / halfHours));
      if (width !== current) {
        current = width;
        calendar.setOption("slotWidth", width);
      }
    }
    fit();
    // Once more when the room names have been laid out in their column.
    window.requestAnimationFrame(fit);
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fit, 150);
    });
  }

  var calendars = new WeakMap();
  function calendarOf(widget) { return calendars.get(widget); }

  // The day's page carries its JSON (a data element the server writes, as json_script
  // does): the first draw reads it, one request and one read of the day. Without it
  // (the weeks' pages) the events route is asked.
  function dataOf(widget) {
    var embedded = widget.querySelector("script[data-calendar-data]");
    if (embedded) {
      var text = embedded.textContent;
      embedded.remove();  // read once: a later draw asks the route
      try { return Promise.resolve(JSON.parse(text)); } catch (error) { /* ask the route */ }
    }
    return fetch(widget.dataset.eventsUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      });
  }

  function draw(widget) {
    var box = widget.querySelector("[data-calendar-box]");
    widget.setAttribute("aria-busy", "true");
    return dataOf(widget)
      .then(function (data) {
        widget.hidden = false;
        var existing = calendarOf(widget);
        if (existing && window.EventCalendar.destroy) { window.EventCalendar.destroy(existing); }
        box.textContent = "";
        var calendar = window.EventCalendar.create(box, options(data, widget));
        calendars.set(widget, calendar);
        if (data.view === "day") { fitSlots(box, calendar, data); }
        keepUnroled(box);
        widget.removeAttribute("aria-busy");
      })
      .catch(function () {
        // The table below says the same: the page stays usable without the widget.
        widget.hidden = true;
        widget.removeAttribute("aria-busy");
      });
  }

  function drawAll(root) {
    if (!window.EventCalendar) { return; }
    root.querySelectorAll("[data-calendar]").forEach(draw);
  }

  // The filters re-read the results (table and calendar) in place, as the same GET the
  // form sends without JavaScript; the address keeps them, so a reload shows the same.
  function enhanceFilters() {
    var form = document.querySelector("[data-calendar-filters]");
    if (!form) { return; }
    var pending = null;
    function refresh(event) {
      if (event) { event.preventDefault(); }
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = form.action + (query ? "?" + query : "");
      var results = document.getElementById("calendar-results");
      if (pending) { pending.abort(); }
      pending = new AbortController();
      results.setAttribute("aria-busy", "true");
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin", signal: pending.signal })
        .then(function (response) {
          if (!response.ok) { throw new Error(response.status); }
          return response.text();
        })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("#calendar-results");
          results.replaceWith(fresh);
          window.history.replaceState(null, "", url);
          drawAll(fresh);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") { form.submit(); }
        });
    }
    form.addEventListener("submit", refresh);
    form.addEventListener("change", refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawAll(document);
    enhanceFilters();
  });
})();
