// The page's script, served as is (no build step). It reads the snapshot once, then follows the
// server-sent events; uPlot draws the charts. window.cachekitDashboard exposes its state for tests.
/** The browser script of the dashboard. */
export const PAGE_SCRIPT = String.raw`(() => {
  'use strict';
  const base = document.currentScript.dataset.base;
  const state = { intervalMs: 1000, samples: [], charts: {}, names: '' };
  window.cachekitDashboard = state;
  const $ = (id) => document.getElementById(id);
  const text = (value) => (value === undefined || value === null ? '–' : String(value));
  const pct = (ratio) => (ratio === null || ratio === undefined ? '–' : (ratio * 100).toFixed(1) + '%');

  function windowed(prev, cur, name) {
    const a = prev && prev.stats[name];
    const b = cur.stats[name];
    const dt = prev ? (cur.at - prev.at) / 1000 : 0;
    if (!a || dt <= 0) return { ratio: null, loadsPerSec: 0 };
    const hits = b.hits + b.staleHits - (a.hits + a.staleHits);
    const reads = hits + b.misses - a.misses;
    return { ratio: reads > 0 ? hits / reads : null, loadsPerSec: (b.loads - a.loads) / dt };
  }

  function setState(id, value) {
    const el = $(id);
    el.textContent = text(value);
    el.className = value === 'open' || value === 'unsubscribed' ? 'open' : value === 'closed' || value === 'subscribed' ? 'closed' : '';
  }

  function renderStore(store) {
    setState('store-kind', store.kind);
    setState('breaker-reads', store.breaker.reads);
    setState('breaker-writes', store.breaker.writes);
    setState('pending-evictions', store.pendingEvictions);
    setState('bus', store.bus || 'none');
    const f = store.lastFailure;
    $('last-failure').textContent = f ? f.at + ' ' + f.operation + ': ' + f.cause + ' (' + f.message + ')' : 'none';
  }

  function cell(value) {
    const td = document.createElement('td');
    td.textContent = text(value);
    return td;
  }

  function renderTable(prev, cur) {
    const names = Object.keys(cur.stats).sort();
    const body = $('caches').tBodies[0];
    if (names.length === 0) return;
    body.replaceChildren(...names.map((name) => {
      const s = cur.stats[name];
      const w = windowed(prev, cur, name);
      const lat = s.latency;
      const hit = lat && (lat.storeHit.count > 0 ? lat.storeHit : lat.l1Hit);
      const l = lat && lat.load.count > 0 ? { p50: lat.load.p50Ms, p95: lat.load.p95Ms, p99: lat.load.p99Ms } : cur.loadLatency[name];
      const ms = (x) => (x === undefined ? '–' : +x.toFixed(2));
      const tr = document.createElement('tr');
      tr.id = 'cache-' + name;
      tr.dataset.hits = s.hits;
      tr.append(cell(name), cell(s.hits), cell(s.staleHits), cell(s.failSafeHits), cell(s.misses), cell(hit && hit.count > 0 ? ms(hit.p50Ms) + ' / ' + ms(hit.p95Ms) + ' / ' + ms(hit.p99Ms) : '–'),
        cell(lat && lat.miss.count > 0 ? ms(lat.miss.p99Ms) : '–'), cell(pct(w.ratio)),
        cell(pct(s.hitRatio)), cell(w.loadsPerSec.toFixed(1)), cell(l ? ms(l.p50) + ' / ' + ms(l.p95) + ' / ' + ms(l.p99) : '–'),
        cell(s.evictions), cell(s.storeErrors), cell(s.audit ? s.audit.mismatches : undefined));
      return tr;
    }));
  }

  function series(names) {
    const palette = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00', '#6a1b9a', '#00838f', '#ad1457', '#4e342e'];
    return [{}].concat(names.map((name, i) => ({ label: name, stroke: palette[i % palette.length], width: 2, spanGaps: true })));
  }

  function renderCharts() {
    const samples = state.samples;
    if (samples.length < 2 || typeof uPlot === 'undefined') return;
    const names = Object.keys(samples[samples.length - 1].stats).sort();
    if (names.length === 0) return;
    const times = [], ratios = names.map(() => []), loads = names.map(() => []);
    for (let i = 1; i < samples.length; i++) {
      times.push(samples[i].at / 1000);
      names.forEach((name, j) => {
        const w = windowed(samples[i - 1], samples[i], name);
        ratios[j].push(w.ratio === null ? null : w.ratio * 100);
        loads[j].push(w.loadsPerSec);
      });
    }
    const key = names.join('\n');
    if (!state.charts.hitRatio || key !== state.names) {
      for (const chart of Object.values(state.charts)) chart.destroy();
      const opts = (title, unit) => ({ width: 520, height: 220, series: series(names), axes: [{}, { label: unit }], scales: { x: { time: true } } });
      state.charts.hitRatio = new uPlot(opts('hit ratio', '%'), [times].concat(ratios), $('chart-hit-ratio'));
      state.charts.loads = new uPlot(opts('loads', 'loads/s'), [times].concat(loads), $('chart-loads'));
      state.names = key;
    } else {
      state.charts.hitRatio.setData([times].concat(ratios));
      state.charts.loads.setData([times].concat(loads));
    }
  }

  // CacheKit.report(): { caches: { [name]: { verdict: { kind, reason }, savedMs, spentMs, audit } } }.
  function renderVerdicts(report) {
    const el = $('verdicts');
    if (!report || typeof report !== 'object') return;
    el.className = '';
    const caches = report.caches || {};
    el.replaceChildren(...Object.keys(caches).sort().map((name) => {
      const r = caches[name] || {};
      const v = r.verdict || {};
      const div = document.createElement('div');
      div.className = 'verdict ' + (v.kind || '');
      div.id = 'verdict-' + name;
      const audit = r.audit && r.audit.mismatches > 0 ? ' | audit: ' + r.audit.mismatches + ' stale value(s) found' : '';
      div.textContent = name + ': ' + text(v.kind) + ', ' + text(v.reason) + audit;
      return div;
    }));
  }

  function addSample(sample) {
    state.samples.push(sample);
    if (state.samples.length > 600) state.samples.shift();
    const prev = state.samples[state.samples.length - 2];
    renderStore(sample.store);
    renderTable(prev, sample);
    renderCharts();
    renderVerdicts(sample.report);
  }

  function addEvictions(evictions) {
    const list = $('evictions');
    for (const e of evictions) {
      const li = document.createElement('li');
      li.textContent = new Date(e.at).toISOString().slice(11, 23) + '  ' + e.name + (e.key ? '  ' + e.key : '');
      list.prepend(li);
    }
    while (list.children.length > 200) list.lastChild.remove();
  }

  async function start() {
    const snapshot = await (await fetch(base + '/snapshot')).json();
    state.intervalMs = snapshot.intervalMs;
    snapshot.samples.forEach(addSample);
    addEvictions(snapshot.evictions.slice().reverse());
    const events = new EventSource(base + '/events');
    events.addEventListener('open', () => { $('connection').textContent = 'live'; });
    events.addEventListener('error', () => { $('connection').textContent = 'reconnecting…'; });
    events.addEventListener('sample', (e) => addSample(JSON.parse(e.data)));
    events.addEventListener('evictions', (e) => {
      const batch = JSON.parse(e.data);
      addEvictions(batch.evictions);
      if (batch.dropped > 0) addEvictions([{ at: Date.now(), name: '… ' + batch.dropped + ' more evictions not listed' }]);
    });
  }
  start();
})();
`;
