/* Teeckin's pages: charts, copy buttons, elapsed timers and the browser's timezone. No inline scripts
   anywhere (the pages run under a strict Content-Security-Policy), so everything hooks onto data- attributes. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      canvas.dataset.drawn = "1";
      var data = JSON.parse(canvas.dataset.chart);
      var horizontal = canvas.dataset.horizontal === "1";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [{ label: data.label, data: data.hours, backgroundColor: "#2f6f5e" }],
        },
        options: {
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true }, y: { beginAtZero: true } },
        },
      });
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickElapsed() {
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.since)) / 1000));
      el.textContent = Math.floor(seconds / 3600) + ":" + pad(Math.floor(seconds / 60) % 60) + ":" + pad(seconds % 60);
    });
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          copy.textContent = "Copied";
        });
      }
    }
    var fill = event.target.closest("[data-fill-timezone]");
    if (fill) {
      var input = document.querySelector(fill.dataset.fillTimezone);
      if (input) input.value = browserZone();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-browser-timezone]").forEach(function (input) {
      input.value = browserZone();
    });
    drawCharts(document);
    tickElapsed();
    window.setInterval(tickElapsed, 1000);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    drawCharts(event.target);
    tickElapsed();
  });
})();
