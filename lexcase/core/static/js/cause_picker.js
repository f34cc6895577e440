// The 案由 picker: filter the list box by what the lawyer types (a word, pinyin, pinyin
// initials, a parent's name) and show only the causes of the matter's type (罪名 for a
// criminal matter, 行政案由 for an administrative one, civil causes otherwise).
// Without this script the list box still lists every cause, grouped and indented.
(function () {
  "use strict";

  var KIND_OF_TYPE = { criminal: "criminal", administrative: "administrative" };

  function setUp(select) {
    var filter = document.getElementById(select.id + "_filter");
    var count = document.getElementById(select.id + "_count");
    var type = select.form ? select.form.querySelector("[name=matter_type]") : null;
    if (filter) {
      filter.hidden = false;
    }

    function apply() {
      var terms = (filter ? filter.value : "").trim().toLowerCase().split(/\s+/).filter(Boolean);
      var kind = type ? KIND_OF_TYPE[type.value] || "civil" : "";
      var shown = 0;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var search = option.getAttribute("data-search") || "";
          var ok =
            (!kind || option.getAttribute("data-kind") === kind) &&
            terms.every(function (term) {
              return search.indexOf(term) !== -1;
            });
          option.hidden = !ok;
          if (ok) {
            any = true;
            shown += 1;
          }
        });
        group.hidden = !any;
      });
      if (count) {
        count.hidden = terms.length === 0;
        count.textContent = (select.getAttribute("data-count-text") || "%s").replace("%s", shown);
      }
    }

    if (filter) {
      filter.addEventListener("input", apply);
      filter.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown") {
          var first = select.querySelector("optgroup:not([hidden]) option:not([hidden])");
          if (first) {
            event.preventDefault();
            select.value = first.value;
            select.focus();
          }
        }
      });
    }
    if (type) {
      type.addEventListener("change", apply);
    }
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-cause-picker]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
