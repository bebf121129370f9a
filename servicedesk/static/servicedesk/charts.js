// Charts of the service desk pages (CSP: no inline script). Each reads its numbers from a
// json_script element next to its canvas.
(function () {
  if (!window.Chart) { return; }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var spend = document.getElementById('spend-chart');
  var spendValues = data('spend-values');
  if (spend && spendValues) {
    new Chart(spend, {type: 'bar', data: {labels: ['1','2','3','4','5','6','7','8','9','10','11','12'], datasets: [{data: spendValues.map(Number), backgroundColor: '#c9a227'}]}, options: {plugins: {legend: {display: false}}}});
  }
  var allocation = document.getElementById('allocation-chart');
  var labels = data('chart-labels');
  var values = data('chart-values');
  if (allocation && labels && values) {
    new Chart(allocation, {type: 'doughnut', data: {labels: labels, datasets: [{data: values.map(Number)}]}, options: {plugins: {legend: {display: false}}}});
  }
})();
