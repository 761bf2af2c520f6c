// The export page's "Select all" box, attached here instead of an inline onchange
// attribute, which the Content-Security-Policy blocks. onSelectToggleChange comes from
// django-import-export's export_selectable_fields.js.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.getElementById("select-all-toggle");
  if (toggle && typeof onSelectToggleChange === "function") {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
