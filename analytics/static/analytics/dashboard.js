// Month ticks as staff read them on a small chart: "Jan" / "1月" for a "2026-01" label (issue 14:
// whole labels wrapped and stretched the charts); the tooltip and the table keep the full month.
const vipMonthFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { month: "short" });
function vipShortMonth(label) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(label));
  return m ? vipMonthFormat.format(new Date(Number(m[1]), Number(m[2]) - 1, 1)) : label;
}
const vipMonthAxis = {
  ticks: { maxRotation: 0, autoSkip: true, callback: function (value) { return vipShortMonth(this.getLabelForValue(value)); } },
};

// Draws the analytics charts from the JSON the page embeds (json_script); every chart has a
// table beside it with the same figures, so nothing here is the only way to read a number.
(function () {
  "use strict";
  const source = document.getElementById("analytics-charts");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const gold = "#c9a227", navy = "#13294b", grey = "#adb5bd";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const key = canvas.dataset.chart;
    const kind = canvas.dataset.kind || "line";
    const percent = canvas.dataset.percent === "true";
    let labels = data.labels, datasets;
    if (key === "budget") {
      labels = data.budget.labels;
      datasets = [
        { label: canvas.dataset.labelPlanned, data: data.budget.planned, backgroundColor: grey },
        { label: canvas.dataset.labelActual, data: data.budget.actual, backgroundColor: navy },
      ];
    } else if (key === "categories" || key === "channels") {
      labels = data[key].labels;
      datasets = [{ label: canvas.dataset.label, data: data[key].values, backgroundColor: navy }];
    } else {
      datasets = [{
        label: canvas.dataset.label, data: data[key], borderColor: navy,
        backgroundColor: kind === "bar" ? gold : navy, spanGaps: true, tension: 0.2,
      }];
    }
    const scale = percent ? { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } : { beginAtZero: true };
    const byMonth = labels === data.labels;
    new Chart(canvas, {
      type: kind,
      data: { labels: labels, datasets: datasets },
      options: {
        scales: byMonth ? { x: vipMonthAxis, y: scale } : { y: scale },
        plugins: { legend: { display: datasets.length > 1 } },
      },
    });
  });
})();

// The per-branch / per-RM page: VIP clients and new VIPs per group, beside its table.
(function () {
  "use strict";
  const source = document.getElementById("analytics-groups");
  const canvas = document.querySelector("canvas[data-chart=groups]");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.labelVips, data: data.vip_count, backgroundColor: "#13294b" },
        { label: canvas.dataset.labelNew, data: data.new_vips, backgroundColor: "#c9a227" },
      ],
    },
    options: { indexAxis: "y", animation: false, maintainAspectRatio: false, scales: { x: { beginAtZero: true } } },
  });
})();

// An RM's own page: their satisfaction and call-back completion by month, beside the table.
(function () {
  "use strict";
  const source = document.getElementById("analytics-mine");
  const canvas = document.querySelector("canvas[data-chart=mine]");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.labelSatisfaction, data: data.satisfaction, borderColor: "#13294b", spanGaps: true },
        { label: canvas.dataset.labelCallbacks, data: data.callbacks, borderColor: "#c9a227", spanGaps: true },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false,
      scales: { x: vipMonthAxis, y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } },
    },
  });
})();
