// "/" focuses the client search from anywhere except a text field.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
  const search = document.getElementById("global-search");
  if (search) { event.preventDefault(); search.focus(); search.select(); }
});
// Forms that change something irreversible carry data-confirm="question".
document.addEventListener("submit", function (event) {
  const question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
