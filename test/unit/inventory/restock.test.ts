import {
  InvalidRestockRequestError,
  parseRestockRequest,
  restock,
  RestockConflictError,
} from '../../../lambdas/restock/restock';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryStockStore } from '../../support/doubles/stock';
import { publishedStockChange } from '../../support/events';

describe('parseRestockRequest', () => {
  it('GIVEN a valid request WHEN parsed THEN it is returned as is', () => {
    const request = { restock_id: 'r-1', product_id: 'abc', quantity: 24 };

    expect(parseRestockRequest(request)).toEqual(request);
  });

  it.each([
    ['no body', undefined, /\(root\): Invalid input/],
    ['a string', 'restock abc', /\(root\): Invalid input/],
    ['a missing restock_id', { product_id: 'abc', quantity: 1 }, /restock_id: Invalid input/],
    ['an empty product_id', { restock_id: 'r-1', product_id: '', quantity: 1 }, /product_id: Too small/],
    ['a zero quantity', { restock_id: 'r-1', product_id: 'abc', quantity: 0 }, /quantity: Too small/],
    ['a negative quantity', { restock_id: 'r-1', product_id: 'abc', quantity: -5 }, /quantity: Too small/],
    [
      'a fractional quantity',
      { restock_id: 'r-1', product_id: 'abc', quantity: 1.5 },
      /quantity: Invalid input: expected int/,
    ],
    [
      'a quantity as text',
      { restock_id: 'r-1', product_id: 'abc', quantity: '5' },
      /quantity: Invalid input: expected number/,
    ],
    ['a misspelt field', { restock_id: 'r-1', product_id: 'abc', quantity: 1, qty: 1 }, /Unrecognized key: "qty"/],
    [
      'a product_id in the markers key space',
      { restock_id: 'r-1', product_id: 'restock#r-0', quantity: 1 },
      /product_id: must not start with "restock#"/,
    ],
    [
      'a restock_id with a control character',
      { restock_id: 'r-1\u001b[2J', product_id: 'abc', quantity: 1 },
      /restock_id: must hold only letters, digits/,
    ],
  ])('GIVEN %s WHEN parsed THEN InvalidRestockRequestError names the problem', (_case, input, reason) => {
    expect(() => parseRestockRequest(input)).toThrow(InvalidRestockRequestError);
    expect(() => parseRestockRequest(input)).toThrow(reason);
  });
});

describe('restock', () => {
  function setup() {
    const stock = new InMemoryStockStore({ abc: 1 });
    const publisher = new RecordingPublisher();
    let clock = Date.parse('2025-04-07T13:00:00Z');
    return { stock, publisher, deps: { stock, publisher, now: () => new Date((clock += 60_000)) } };
  }

  it('GIVEN a restock WHEN applied THEN the units are added and a positive StockChanged without order_id is published', async () => {
    const { stock, publisher, deps } = setup();

    const outcome = await restock({ restock_id: 'r-1', product_id: 'abc', quantity: 24 }, deps);

    expect(outcome).toMatchObject({
      kind: 'restocked',
      restock: { restock_id: 'r-1', product_id: 'abc', quantity: 24 },
    });
    expect(stock.available.get('abc')).toBe(25);
    expect(publisher.published).toEqual([publishedStockChange('abc', 24, { timestamp: outcome.restock.applied_at })]);
    expect(publisher.published[0]!.event).not.toHaveProperty('order_id');
  });

  it('GIVEN a restock already applied WHEN the same request comes again THEN no units are added and the identical event is re-published', async () => {
    const { stock, publisher, deps } = setup();
    await restock({ restock_id: 'r-1', product_id: 'abc', quantity: 24 }, deps);

    const again = await restock({ restock_id: 'r-1', product_id: 'abc', quantity: 24 }, deps);

    expect(again.kind).toBe('re-emitted');
    expect(stock.available.get('abc')).toBe(25);
    expect(publisher.published[1]).toEqual(publisher.published[0]);
  });

  it('GIVEN a restock_id already used for another quantity WHEN requested THEN RestockConflictError names the first restock and nothing changes', async () => {
    const { stock, publisher, deps } = setup();
    await restock({ restock_id: 'r-1', product_id: 'abc', quantity: 24 }, deps);

    await expect(restock({ restock_id: 'r-1', product_id: 'abc', quantity: 5 }, deps)).rejects.toThrow(
      new RestockConflictError({ restock_id: 'r-1', product_id: 'abc', quantity: 24, applied_at: '' }).message,
    );
    expect(stock.available.get('abc')).toBe(25);
    expect(publisher.published).toHaveLength(1);
  });

  it('GIVEN two different restocks WHEN applied THEN both add their units under different event ids', async () => {
    const { stock, publisher, deps } = setup();

    await restock({ restock_id: 'r-1', product_id: 'abc', quantity: 2 }, deps);
    await restock({ restock_id: 'r-2', product_id: 'abc', quantity: 3 }, deps);

    expect(stock.available.get('abc')).toBe(6);
    expect(new Set(publisher.published.map((p) => p.event.event_id)).size).toBe(2);
  });
});
