import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, ensureChromium } from '../support/chromium';
import { e2eEnvironment } from '../support/e2e-env';
import {
  eventually,
  loadTestAssembly,
  orderTerminalStatus,
  postOrder,
  synthesizedApp,
  APP_SETUP_TIMEOUT_MS,
  pipelineLock,
  TestApp,
  TEST_PRICE_USD,
} from '../support/e2e-pipeline';

/**
 * GET /dashboard in a real headless Chromium (the machine's, driven by playwright-core): clicks
 * posted to the click API go through the broker to the analytics function, an order placed through
 * the order API is emailed about, and the page, polling the analytics API on its own, must show
 * both. A screenshot is kept with the run's logs.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 120_000;

// Products of this run only, with view counts far apart so the ranking cannot tie.
const run = randomUUID().slice(0, 8);
const VIEWS = { [`dash-${run}-first`]: 9, [`dash-${run}-second`]: 5, [`dash-${run}-third`]: 2 };
const ORDERED = `dash-${run}-first`;

let app: TestApp | undefined;
let browser: Browser | undefined;
const lock = pipelineLock(env);

beforeAll(async () => {
  // First, so that a missing browser fails the run before anything else starts.
  const executablePath = ensureChromium();
  const cdkOut = await synthesizedApp(env);
  const assembly = await loadTestAssembly(cdkOut);
  await lock.acquire();
  app = await TestApp.start(env, assembly, [{ product_id: ORDERED, quantity: 5 }], `dash-${run}`);
  browser = await chromium.launch({ executablePath, args: chromiumArgs() });
}, APP_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  lock.release();
}, 60_000);

it(
  'GIVEN clicks posted to the click API WHEN the dashboard is open in a browser THEN its popular products show them ranked by views, with the counted clicks',
  async () => {
    const now = Date.now();
    const clicks = Object.entries(VIEWS).flatMap(([product_id, views]) =>
      Array.from({ length: views }, (_, i) => ({
        click_id: `${product_id}-${i}`,
        user_id: `dash-user-${i % 3}`,
        product_id,
        timestamp: new Date(now - i * 1_000).toISOString(),
        page: `/products/${product_id}`,
      })),
    );
    const posted = await fetch(`${app!.api.url}/clicks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(clicks),
    });
    expect(posted.status).toBe(202);
    // The analytics API has counted them before the page is asked to show them.
    await eventually('the analytics API counts every click of this run', async () => {
      const response = await fetch(`${app!.api.url}/analytics/popular-products?window=5m&limit=50`);
      const { products } = (await response.json()) as { products: { product_id: string; window_views: number }[] };
      return Object.entries(VIEWS).every(([id, n]) => products.find((p) => p.product_id === id)?.window_views === n);
    });

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${app!.api.url}/dashboard`);
    const rows = page.locator('[data-testid="popular-products"] tbody tr');
    await rows.filter({ hasText: `dash-${run}-third` }).waitFor({ timeout: 30_000 });
    await page.locator('#status', { hasText: 'updated' }).waitFor({ timeout: 10_000 });

    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({
        product: tr.getAttribute('data-product'),
        views: Number(tr.querySelectorAll('td')[1]?.textContent),
      })),
    );
    const ours = shown.filter((r) => r.product?.startsWith(`dash-${run}-`));
    expect(ours).toEqual(Object.entries(VIEWS).map(([product, views]) => ({ product, views })));
    const counted = Number(await page.locator('[data-testid="clicks-counted"]').textContent());
    expect(counted).toBeGreaterThanOrEqual(clicks.length);
    const chartTotal = Number(await page.locator('[data-testid="views-per-minute"]').getAttribute('data-total'));
    expect(chartTotal).toBeGreaterThanOrEqual(clicks.length);
    expect(await page.locator('[data-testid="views-per-minute"] rect.bar').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: join(env.workDir, 'dashboard.png'), fullPage: true });
    await page.close();
  },
  TIMEOUT_MS,
);

it(
  'GIVEN an order that ships WHEN the dashboard is open in a browser THEN it lists the emails sent about it, its confirmation and its shipment, and the per-hop timings and lag of the mappings it crossed',
  async () => {
    const placed = await postOrder(app!.api.url, {
      user_id: `dash-user-${run}`,
      items: [{ product_id: ORDERED, quantity: 1, unit_price: TEST_PRICE_USD }],
      currency: 'USD',
      payment_method: 'credit_card',
    });
    expect(placed.status).toBe(202);
    const orderId = placed.body.order_id!;
    expect(await orderTerminalStatus(app!.api.url, orderId, { timeoutMs: 90_000 })).toBe('SHIPPED');

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${app!.api.url}/dashboard`);
    const emails = page.locator(`[data-testid="emails-sent"] tbody tr[data-order="${orderId}"]`);
    // The shipment email is sent once the shipping outcome reaches the notification function.
    await emails.filter({ hasText: 'shipped' }).waitFor({ timeout: 60_000 });

    const listed = await emails.evaluateAll((trs) =>
      trs.map((tr) => ({ change: tr.getAttribute('data-change'), subject: tr.querySelectorAll('td')[3]?.textContent })),
    );
    expect(listed.sort((a, b) => a.change!.localeCompare(b.change!))).toEqual([
      { change: 'confirmed', subject: `Your order is confirmed (order ${orderId})` },
      { change: 'shipped', subject: `Your order is on its way (order ${orderId})` },
    ]);
    expect(Number(await page.locator('[data-testid="notifications-sent"]').textContent())).toBeGreaterThanOrEqual(2);

    // Per hop: the order crossed these mappings, whose consumers recorded their timings; the
    // figures are bucket bounds, so plausible means ordered, positive and below a minute.
    const hops = page.locator('[data-testid="pipeline-hops"] tbody tr');
    await hops.filter({ hasText: 'ShippingPaidOrders' }).waitFor({ timeout: 10_000 });
    const shownHops = await hops.evaluateAll((trs) =>
      trs.map((tr) => ({
        mapping: tr.getAttribute('data-mapping')!,
        records: Number(tr.querySelectorAll('td')[1]?.textContent),
        waitP50: Number(tr.getAttribute('data-wait-p50-ms')),
        waitP99: Number(tr.getAttribute('data-wait-p99-ms')),
        invokeP50: Number(tr.getAttribute('data-invoke-p50-ms')),
        invokeP99: Number(tr.getAttribute('data-invoke-p99-ms')),
        lag: Number(tr.getAttribute('data-last-lag-ms')),
      })),
    );
    const onThePath = shownHops.filter(
      (h) =>
        ['BillingOrders', 'InventoryPaidOrders', 'ShippingPaidOrders'].includes(h.mapping) ||
        h.mapping.startsWith('OrderStatus'),
    );
    expect(onThePath.map((h) => h.mapping)).toEqual(
      expect.arrayContaining(['BillingOrders', 'InventoryPaidOrders', 'ShippingPaidOrders']),
    );
    expect(onThePath.some((h) => h.mapping.startsWith('OrderStatus'))).toBe(true);
    for (const hop of onThePath) {
      expect(hop.records).toBeGreaterThanOrEqual(1);
      expect(hop.waitP50).toBeGreaterThan(0);
      expect(hop.waitP99).toBeGreaterThanOrEqual(hop.waitP50);
      expect(hop.invokeP50).toBeGreaterThan(0);
      expect(hop.invokeP99).toBeGreaterThanOrEqual(hop.invokeP50);
      expect(hop.invokeP99).toBeLessThan(60_000);
      expect(hop.lag).toBeGreaterThanOrEqual(0);
      expect(hop.lag).toBeLessThan(60_000);
    }
    expect(pageErrors).toEqual([]);

    await page.screenshot({ path: join(env.workDir, 'dashboard-emails.png'), fullPage: true });
    await page.close();
  },
  // The order's saga and its two emails, then the page.
  2 * TIMEOUT_MS,
);
