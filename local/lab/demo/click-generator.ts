import { CATALOGUE_PRODUCT_IDS, seededRandom, shuffle, type DemoOrder } from './order-generator';

/**
 * Demo clicks for `npm run local -- --clicks N`: a reproducible stream (same seed, same clicks) that
 * looks like a shop's. Visitors browse in sessions of a few pages; popularity is skewed (the n-th
 * most popular product is viewed about 1/n as often as the first, a Zipf-like law); and the
 * customers of the run's orders browse the products they buy before they buy them, so conversion
 * has something to join.
 */
export interface DemoClick {
  /** The same on a retry: analytics counts a click once by it. */
  readonly click_id: string;
  readonly user_id: string;
  readonly product_id: string;
  readonly session_id: string;
  readonly page: string;
  readonly referrer?: string;
  /** How long before it is sent the click happened: earlier pages of a session are older. */
  readonly secondsBeforeSend: number;
}

/** Products only browsed, never ordered by the demo orders: the long tail of the catalogue. */
const BROWSE_ONLY = Array.from({ length: 20 }, (_, i) => `catalog-${String(i + 1).padStart(2, '0')}`);
const PRODUCTS = [...CATALOGUE_PRODUCT_IDS, ...BROWSE_ONLY];
const ZIPF_EXPONENT = 1;
const REFERRERS = ['https://www.example.com/', 'https://search.example.net/?q=shop', undefined] as const;
/** Share of sessions that are the browsing of a planned order's customer. */
const BUYER_SESSION_SHARE = 0.3;
/** Seconds between two pages of a session. */
const PAGE_GAP_SECONDS = 7;

export function generateClicks(count: number, seed: string, orders: readonly DemoOrder[] = []): DemoClick[] {
  const random = seededRandom(`clicks-${seed}`);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  // Popularity: a fixed shuffle of the catalogue per seed, weighted 1/rank^s.
  const ranked = shuffle([...PRODUCTS], random);
  const cumulative: number[] = [];
  ranked.reduce((sum, _, rank) => (cumulative[rank] = sum + 1 / (rank + 1) ** ZIPF_EXPONENT), 0);
  const popular = () => {
    const target = random() * cumulative[cumulative.length - 1]!;
    return ranked[cumulative.findIndex((c) => c >= target)]!;
  };

  const clicks: DemoClick[] = [];
  for (let session = 0; clicks.length < count; session++) {
    const order = orders.length && random() < BUYER_SESSION_SHARE ? orders[int(0, orders.length - 1)] : undefined;
    const user_id = order?.request.user_id ?? `visitor-${int(1, 500)}`;
    // A buyer looks at a popular product or two, then at each product of the order.
    const pages = [
      ...Array.from({ length: order ? int(0, 2) : int(1, 8) }, popular),
      ...(order?.request.items.map((i) => i.product_id) ?? []),
    ].slice(0, count - clicks.length);
    const referrer = REFERRERS[int(0, REFERRERS.length - 1)];
    pages.forEach((product_id, page) => {
      clicks.push({
        click_id: `click-${seed}-${clicks.length}`,
        user_id,
        product_id,
        session_id: `session-${seed}-${session}`,
        page: `/products/${product_id}`,
        ...(page === 0 && referrer ? { referrer } : {}),
        secondsBeforeSend: (pages.length - 1 - page) * PAGE_GAP_SECONDS,
      });
    });
  }
  return clicks;
}
