// The dossier's panels below its first screen: each [data-fragment] holder fetches its HTML when
// it comes near the viewport (or its anchor is opened), so the dossier itself pays only for the
// first screen. Links marked data-fragment-link (a panel's pages) reload the panel in place.
// Without script, or if a fetch fails, the holder keeps its link to the panel's own page.
// data-state says how the last fetch ended ("loaded" or "failed").
(function () {
  function load(holder, url) {
    holder.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Fragment": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) { holder.innerHTML = html; holder.dataset.state = "loaded"; })
      .catch(function () { holder.dataset.state = "failed"; })
      .finally(function () { holder.removeAttribute("aria-busy"); });
  }
  const holders = document.querySelectorAll("[data-fragment]");
  if (!holders.length || !("IntersectionObserver" in window)) return;
  const watcher = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      watcher.unobserve(entry.target);
      load(entry.target, entry.target.dataset.fragment);
    });
  }, { rootMargin: "200px" });
  holders.forEach(function (holder) { watcher.observe(holder); });
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-fragment-link]");
    const holder = link && link.closest("[data-fragment]");
    if (!holder) return;
    event.preventDefault();
    load(holder, link.href);
  });
})();
