// The core-banking upload's page while a worker imports it: polls the upload's status every
// second and moves the bar; when the import has finished, reloads so the server renders the
// result (counts or bad rows). While no worker has started it for a minute, shows the notice that
// the background worker may not be running; when the worker importing it stopped, reloads so the
// page offers to import it again. Without script the page shows the state it was
// loaded in.
(function () {
  const card = document.querySelector("[data-import-status]");
  if (!card) return;
  const bar = card.querySelector("[data-import-bar]");
  const rows = card.querySelector("[data-import-rows]");
  const label = card.querySelector("[data-import-label]");
  const notStarted = document.querySelector('[data-testid="worker-not-started"]');
  function poll() {
    fetch(card.dataset.importStatus, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (state) {
        // Finished, or its worker stopped: the server renders the result or the way forward.
        if (state.done || state.stopped) { window.location.reload(); return; }
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        rows.textContent = state.rows_read;
        label.textContent = state.status_label;
        if (notStarted) notStarted.hidden = !state.not_started;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
