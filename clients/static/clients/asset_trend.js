// The dossier's asset trend: data carried in the page (json_script), no request of its own.
(function () {
  const holder = document.getElementById("asset-trend-data");
  const canvas = document.getElementById("asset-trend");
  if (!holder || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(holder.textContent);
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, borderColor: "#b8860b", backgroundColor: "rgba(184,134,11,0.15)", fill: true, tension: 0.2 }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { ticks: { callback: (v) => "¥" + Number(v).toLocaleString() } } } },
  });
})();
