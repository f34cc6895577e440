// Documents: drop files onto the upload form and preselect the suggested category.
// The form works without this script (plain multiple file input, "Suggest from the file").
(function () {
  "use strict";

  function suggest(form, select, input) {
    var url = form.getAttribute("data-suggest-url");
    if (!url || !select || !input.files.length || select.dataset.userChosen === "1") {
      return;
    }
    var name = input.files[0].name;
    fetch(url + "?name=" + encodeURIComponent(name), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.category && select.dataset.userChosen !== "1") {
          select.value = data.category;
          select.dataset.suggested = data.category;
        }
      })
      .catch(function () {
        /* the server suggests again on upload when the category is left empty */
      });
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var select = form.querySelector("select.doc-category");
    if (!input) {
      return;
    }
    if (select) {
      select.addEventListener("change", function () {
        select.dataset.userChosen = "1";
      });
    }
    input.addEventListener("change", function () {
      suggest(form, select, input);
    });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        form.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function () {
        form.classList.remove("dragging");
      });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.querySelectorAll("form.doc-upload").forEach(setUp);
})();
