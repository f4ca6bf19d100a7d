/** The page's styles. */
export const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 24px 24px; color: #1d2330; background: #f7f8fa; }
header { display: flex; align-items: baseline; gap: 16px; }
h1 { font-size: 22px; margin: 16px 0 8px; }
h2 { font-size: 15px; margin: 16px 0 8px; }
.muted { color: #7a8194; }
#store-panel { display: flex; flex-wrap: wrap; gap: 8px; }
.card { background: #fff; border: 1px solid #dde1ea; border-radius: 6px; padding: 8px 12px; min-width: 120px; }
.card.wide { flex: 1; min-width: 240px; }
.card .label { display: block; font-size: 11px; text-transform: uppercase; color: #7a8194; }
.card span:last-child { font-size: 16px; font-weight: 600; }
.open { color: #c62828; }
.closed, .subscribed { color: #2e7d32; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid #dde1ea; padding: 4px 8px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { background: #fff; border: 1px solid #dde1ea; border-radius: 6px; padding: 0 12px 8px; }
#evictions { background: #fff; border: 1px solid #dde1ea; max-height: 220px; overflow: auto; margin: 0; padding: 8px 8px 8px 40px; font-family: ui-monospace, monospace; font-size: 12px; }
.verdict { margin: 4px 0; }
.verdict.costs { color: #c62828; }
.verdict.pays { color: #2e7d32; }
`;
