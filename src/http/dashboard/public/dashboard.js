// The dashboard's charts: each `.chart[data-series-url]` gets a uPlot line chart of strikes, blocks and
// votes per week. No inline script: the page's CSP allows only the bot's own files.

/** The charts drawn, for the browser tests (each is a uPlot instance). */
window.dashboardCharts = [];

const COLOURS = { strikes: '#b45309', blocks: '#b91c1c', votes: '#1d4ed8' };

async function drawChart(element) {
  const response = await fetch(element.dataset.seriesUrl, { credentials: 'same-origin' });
  if (!response.ok) {
    element.dataset.state = 'failed';
    return;
  }
  const series = await response.json();
  const x = series.weeks.map((week) => Date.parse(`${week}T00:00:00Z`) / 1000);
  const kinds = ['strikes', 'blocks', 'votes'];
  const width = Math.max(280, element.clientWidth || 600);
  const options = {
    width,
    height: 240,
    scales: { x: { time: true } },
    series: [
      {},
      ...kinds.map((kind) => ({
        label: element.dataset[`label${kind[0].toUpperCase()}${kind.slice(1)}`] || kind,
        stroke: COLOURS[kind],
        width: 2,
        points: { show: true, size: 6 },
      })),
    ],
    axes: [{}, { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
  };
  const chart = new uPlot(options, [x, ...kinds.map((kind) => series[kind])], element);
  window.dashboardCharts.push(chart);
  element.dataset.points = String(x.length);
  element.dataset.state = 'drawn';
}

function drawCharts() {
  for (const element of document.querySelectorAll('.chart[data-series-url]')) {
    drawChart(element).catch(() => {
      element.dataset.state = 'failed';
    });
  }
}

// Forms that ask to confirm first (erasure, rejecting a request).
function confirmForms() {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => {
    drawCharts();
    confirmForms();
  });
} else {
  drawCharts();
  confirmForms();
}
