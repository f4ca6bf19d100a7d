/**
 * The page's markup: no inline script or style (a strict Content-Security-Policy can stay on); the
 * mount path is checked to hold only safe characters before it gets here.
 */
export function pageHtml(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CacheKit</title>
<link rel="stylesheet" href="${base}/uplot.css">
<link rel="stylesheet" href="${base}/page.css">
<script src="${base}/uplot.js" defer></script>
<script src="${base}/page.js" data-base="${base}" defer></script>
</head>
<body>
<header><h1>CacheKit</h1><span id="connection" class="muted">connecting…</span></header>
<section id="store-panel">
  <div class="card"><span class="label">store</span><span id="store-kind">–</span></div>
  <div class="card"><span class="label">breaker reads</span><span id="breaker-reads">–</span></div>
  <div class="card"><span class="label">breaker writes</span><span id="breaker-writes">–</span></div>
  <div class="card"><span class="label">pending evictions</span><span id="pending-evictions">–</span></div>
  <div class="card"><span class="label">L1 bus</span><span id="bus">–</span></div>
  <div class="card wide"><span class="label">last store failure</span><span id="last-failure">none</span></div>
</section>
<section>
  <h2>Caches</h2>
  <table id="caches">
    <thead><tr>
      <th>cache</th><th>hits</th><th>stale hits</th><th>fail-safe hits</th><th>misses</th>
      <th>hit p50 / p95 / p99 ms</th><th>miss p99 ms</th>
      <th>hit ratio (now)</th><th>hit ratio (all)</th><th>loads/s</th><th>load p50 / p95 / p99 ms</th>
      <th>evictions</th><th>store errors</th><th>audit mismatches</th>
    </tr></thead>
    <tbody><tr><td colspan="14" class="muted">no cache read yet</td></tr></tbody>
  </table>
</section>
<section class="charts">
  <div class="chart"><h2>Hit ratio</h2><div id="chart-hit-ratio"></div></div>
  <div class="chart"><h2>Loads per second</h2><div id="chart-loads"></div></div>
</section>
<section>
  <h2>Does it pay?</h2>
  <div id="verdicts" class="muted">CacheKit.report() is not available in this version.</div>
</section>
<section>
  <h2>Evictions</h2>
  <ol id="evictions"></ol>
</section>
</body>
</html>`;
}
