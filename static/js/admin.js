// The admin's accessibility (issue 9, item 10): name what Django admin's own scripts
// draw without an accessible name. Loaded on every admin page by admin/base_site.html.
(function () {
  "use strict";

  function labelFor(select) {
    if (!select.id) {
      return null;
    }
    return document.querySelector('label[for="' + select.id + '"]');
  }

  // Select2 (autocomplete_fields) replaces a <select> by a combobox named only by the
  // value it shows: an empty box has no name. Name it by the field's label.
  function nameSelect2(container) {
    var select = container.previousElementSibling;
    var box = container.querySelector(".select2-selection");
    if (!select || select.tagName !== "SELECT" || !box || box.dataset.named) {
      return;
    }
    var label = labelFor(select);
    var name = label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
    if (!name) {
      return;
    }
    box.setAttribute("aria-label", name);
    box.removeAttribute("aria-labelledby");
    var rendered = container.querySelector(".select2-selection__rendered");
    if (rendered) {
      rendered.setAttribute("aria-label", name);
    }
    box.dataset.named = "yes";
  }

  // The filter widgets (filter_horizontal) put aria-label on a bare <span>: an image
  // role makes that label allowed, and read.
  function nameFilterIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameAll() {
    document.querySelectorAll("span.select2-container").forEach(nameSelect2);
    nameFilterIcons(document);
  }

  window.addEventListener("load", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  });
  document.addEventListener("DOMContentLoaded", nameAll);
})();
