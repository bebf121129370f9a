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
// A submit button with data-confirm="question" asks before its form is sent (CSP: no onclick).
document.addEventListener("click", function (event) {
  const button = event.target.closest("button[data-confirm], input[data-confirm]");
  if (button && !button.form?.hasAttribute("data-confirm")) {
    if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  }
});
// A select with data-autosubmit sends its form when changed (CSP: no onchange).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]") && event.target.form) event.target.form.submit();
});
