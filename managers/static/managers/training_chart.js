// Attendees and passes per course, beside the table on the training page.
(function () {
  const source = document.getElementById("courses-data");
  const canvas = document.getElementById("courses-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.attendees_label, data: data.attendees, backgroundColor: "#1f3a5f" },
        { label: data.passed_label, data: data.passed, backgroundColor: "#c9a227" },
      ],
    },
    options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
