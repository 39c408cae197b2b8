/**
 * The live dashboard: one static page, no framework and no external asset (it works offline and
 * under a CSP that allows only itself). It polls the analytics endpoints (the per-hop table: /analytics/pipeline) every POLL_MS and draws
 * with plain SVG; every value is set through textContent, never parsed as HTML (product and user
 * ids come from clients). Elements carry data-testid for the browser tests.
 */
const POLL_MS = 2000;

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Order pipeline: live</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2733; background: #f6f8fa; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
  h2 { font-size: 1rem; margin: 0 0 .5rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
  section { background: #fff; border: 1px solid #d8dee4; border-radius: 6px; padding: 1rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: .15rem .4rem; border-bottom: 1px solid #eef1f4; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .bar { fill: #2f81f7; } .late { fill: #d29922; } .paid { fill: #1a7f37; } .dead { fill: #cf222e; }
  section.wide { grid-column: 1 / -1; }
  .id { font-family: ui-monospace, monospace; font-size: .85rem; }
  .big { font-size: 1.8rem; font-weight: 600; }
  #status { color: #57606a; font-size: .85rem; }
  button[aria-pressed="true"] { font-weight: 700; }
</style>
</head>
<body>
<h1>Order pipeline: live <span id="status" data-testid="status">connecting…</span></h1>
<div class="grid">
  <section>
    <h2>Popular products <button data-window="5m" aria-pressed="true">5 min</button><button data-window="1h" aria-pressed="false">1 hour</button></h2>
    <table data-testid="popular-products"><thead><tr><th>product</th><th class="n">views</th><th class="n">paid orders</th><th class="n">conversion</th></tr></thead><tbody></tbody></table>
  </section>
  <section>
    <h2>Views per minute (last hour)</h2>
    <svg data-testid="views-per-minute" viewBox="0 0 600 160" width="100%" role="img" aria-label="views per minute"></svg>
  </section>
  <section>
    <h2>Orders by status</h2>
    <table data-testid="orders-by-status"><tbody></tbody></table>
  </section>
  <section>
    <h2>Totals</h2>
    <table><tbody>
      <tr><td>clicks counted</td><td class="n big" data-testid="clicks-counted">–</td></tr>
      <tr><td>late clicks</td><td class="n" data-testid="late-clicks">–</td></tr>
      <tr><td>paid orders</td><td class="n" data-testid="paid-orders">–</td></tr>
      <tr><td>notifications sent</td><td class="n big" data-testid="notifications-sent">–</td></tr>
      <tr><td>dead letters</td><td class="n big" data-testid="dead-letters">–</td></tr>
      <tr><td>given up behind a failed record</td><td class="n" data-testid="given-up-behind">–</td></tr>
    </tbody></table>
  </section>
  <section class="wide">
    <h2>Per hop, last 5 minutes <small>(ms, at most: bucket bounds; in the topic = invocation start − record timestamp)</small></h2>
    <table data-testid="pipeline-hops"><thead><tr><th>mapping</th><th class="n">records</th><th class="n">in topic p50</th><th class="n">in topic p99</th><th class="n">invocation p50</th><th class="n">invocation p99</th><th class="n">lag now</th><th class="n">lag max</th><th>last invoked</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="wide">
    <h2>Emails sent (latest)</h2>
    <table data-testid="emails-sent"><thead><tr><th>sent</th><th>order</th><th>change</th><th>subject</th></tr></thead><tbody></tbody></table>
  </section>
</div>
<script>
(() => {
  let windowName = '5m';
  const $ = (selector) => document.querySelector(selector);
  const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = String(text); if (cls) td.className = cls; return td; };
  const row = (...cells) => { const tr = document.createElement('tr'); tr.append(...cells); return tr; };
  const svg = (name, attributes) => { const el = document.createElementNS('http://www.w3.org/2000/svg', name); for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v)); return el; };
  const get = async (path) => { const r = await fetch(path, { cache: 'no-store' }); if (!r.ok) throw new Error(path + ': ' + r.status); return r.json(); };

  for (const button of document.querySelectorAll('button[data-window]')) {
    button.addEventListener('click', () => {
      windowName = button.dataset.window;
      for (const b of document.querySelectorAll('button[data-window]')) b.setAttribute('aria-pressed', String(b === button));
      void refresh();
    });
  }

  function drawPopular(popular) {
    const body = $('[data-testid="popular-products"] tbody');
    body.replaceChildren(...popular.products.map((p) => {
      const tr = row(cell(p.product_id), cell(p.window_views, 'n'), cell(p.paid_orders, 'n'), cell((p.conversion * 100).toFixed(1) + ' %', 'n'));
      tr.dataset.product = p.product_id;
      return tr;
    }));
  }

  function drawMinutes(minutes) {
    const chart = $('[data-testid="views-per-minute"]');
    const max = Math.max(1, ...minutes.map((m) => m.views + m.late));
    const width = 600 / minutes.length;
    chart.replaceChildren(...minutes.flatMap((m, i) => {
      const h = (m.views / max) * 140, l = (m.late / max) * 140;
      const bar = svg('rect', { class: 'bar', x: i * width + 1, y: 150 - h, width: width - 2, height: h });
      const title = svg('title', {}); title.textContent = m.minute + 'Z: ' + m.views + ' views, ' + m.late + ' late, ' + m.paid_orders + ' paid, ' + m.dead_letters + ' dead letters, ' + m.given_up_behind + ' given up behind one';
      bar.append(title);
      return [bar, svg('rect', { class: 'late', x: i * width + 1, y: 150 - h - l, width: width - 2, height: l })];
    }), svg('line', { x1: 0, y1: 150.5, x2: 600, y2: 150.5, stroke: '#8c959f' }));
    chart.dataset.total = String(minutes.reduce((sum, m) => sum + m.views, 0));
  }

  function drawSummary(summary) {
    const body = $('[data-testid="orders-by-status"] tbody');
    body.replaceChildren(...Object.entries(summary.orders.by_status).map(([status, n]) => {
      const tr = row(cell(status), cell(n, 'n'));
      tr.dataset.status = status;
      return tr;
    }));
    $('[data-testid="clicks-counted"]').textContent = String(summary.totals.clicks);
    $('[data-testid="late-clicks"]').textContent = String(summary.totals.late_clicks);
    $('[data-testid="paid-orders"]').textContent = String(summary.totals.paid_orders);
    $('[data-testid="notifications-sent"]').textContent = String(summary.notifications.sent);
    $('[data-testid="dead-letters"]').textContent = String(summary.totals.dead_letters);
    $('[data-testid="given-up-behind"]').textContent = String(summary.totals.given_up_behind);
    drawMinutes(summary.throughput);
    $('[data-testid="emails-sent"] tbody').replaceChildren(...summary.notifications.latest.map((email) => {
      const tr = row(cell(new Date(email.sent_at).toLocaleTimeString()), cell(email.order_id, 'id'), cell(email.change), cell(email.subject));
      tr.dataset.order = email.order_id;
      tr.dataset.change = email.change;
      return tr;
    }));
  }

  function drawHops(pipeline) {
    const ms = (value) => (value === null ? '–' : String(value));
    $('[data-testid="pipeline-hops"] tbody').replaceChildren(...pipeline.mappings.map((m) => {
      const tr = row(cell(m.mapping), cell(m.records, 'n'), cell(ms(m.wait_p50_ms), 'n'), cell(ms(m.wait_p99_ms), 'n'),
        cell(ms(m.invoke_p50_ms), 'n'), cell(ms(m.invoke_p99_ms), 'n'), cell(ms(m.last_lag_ms), 'n'), cell(ms(m.max_lag_ms), 'n'),
        cell(m.last_invocation_at ? new Date(m.last_invocation_at).toLocaleTimeString() : '–'));
      tr.dataset.mapping = m.mapping;
      for (const name of ['wait_p50_ms', 'wait_p99_ms', 'invoke_p50_ms', 'invoke_p99_ms', 'last_lag_ms']) tr.setAttribute('data-' + name.split('_').join('-'), ms(m[name]));
      return tr;
    }));
  }

  // Each panel is drawn from its own endpoint, so one that fails leaves the others current.
  async function refresh() {
    const panels = [
      ['analytics/popular-products?window=' + windowName + '&limit=10', drawPopular],
      ['analytics/summary', drawSummary],
      ['analytics/pipeline', drawHops],
    ];
    const results = await Promise.allSettled(panels.map(([path, draw]) => get(path).then(draw)));
    const failed = results
      .map((r, i) => (r.status === 'rejected' ? panels[i][0].split('?')[0] + ': ' + r.reason.message : ''))
      .filter(Boolean);
    $('#status').textContent = failed.length ? 'unreachable: ' + failed.join('; ') : 'updated ' + new Date().toLocaleTimeString();
  }

  void refresh();
  setInterval(refresh, ${POLL_MS});
})();
</script>
</body>
</html>
`;
