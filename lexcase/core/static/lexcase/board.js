// Drag a task card to another column of the board. Without JavaScript (or without a
// pointer) the buttons on each card do the same through plain form posts.
(function () {
  "use strict";
  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return JSON.parse(headers)["X-CSRFToken"]; } catch (e) { return ""; }
  }
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".task-card");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", function (event) {
    if (event.target.closest && event.target.closest(".board-col")) event.preventDefault();
  });
  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-col");
    if (!column) return;
    event.preventDefault();
    var card = document.getElementById(event.dataTransfer.getData("text/plain"));
    if (!card) return;
    var body = new URLSearchParams();
    body.set("status", column.dataset.status);
    body.set("version", card.dataset.version);
    body.set("next", window.location.pathname + window.location.search);
    fetch(card.dataset.moveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
      body: body,
      credentials: "same-origin",
      // Not followed here: the board fetched next shows the move's message (an error).
      redirect: "manual",
    }).then(function (response) {
      if (response.status === 422) {
        // Refused (a column or a task the board does not have): the board that came back
        // carries why, every task where it was.
        return response.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
          var board = document.getElementById("board");
          if (fresh && board) {
            board.replaceWith(fresh);
            if (window.htmx) window.htmx.process(fresh);
          }
        });
      }
      if (window.htmx) {
        window.htmx.ajax("GET", window.location.pathname + window.location.search,
          { target: "#board", select: "#board", swap: "outerHTML" });
      } else {
        window.location.reload();
      }
    });
  });
})();
