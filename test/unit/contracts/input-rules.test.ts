import { CURRENCIES, maxAmount, withinLimit } from '../../../lambdas/shared/contracts/currencies';
import {
  ClickSchema,
  IdSchema,
  OrderCreatedSchema,
  PaymentMethodSchema,
} from '../../../lambdas/shared/contracts/events';
import { orderCreatedFields } from '../../support/events';

const order = orderCreatedFields;

describe('IdSchema: an allow-list of characters', () => {
  it.each([
    ['a bidi override (U+202E, Cf)', 'user\u202Egnp.exe'],
    ['a zero-width space (U+200B, Cf)', 'u\u200B1'],
    ['a lone high surrogate (Cs)', 'u\uD800'],
    ['a lone low surrogate (Cs)', '\uDC00u'],
    ['a line separator (U+2028, Zl)', 'u\u20281'],
    ['a paragraph separator (U+2029, Zp)', 'u\u20291'],
    ['a control character (NUL, Cc)', 'u\u00001'],
    ['a space', 'u 1'],
    ['a slash', 'u/1'],
    ['a quote', 'u"1'],
  ])('GIVEN an id with %s WHEN parsed THEN it is refused', (_name, value) => {
    expect(IdSchema.safeParse(value).success).toBe(false);
  });

  it.each(['u-110', 'txn_6f1c2b9e', 'refused:o-1', 'restock#r1', 'müller', '用户42', 'a.b@c+d=e~f', 'e\u0301'])(
    'GIVEN the id %p WHEN parsed THEN it is accepted',
    (value) => {
      expect(IdSchema.safeParse(value).success).toBe(true);
    },
  );

  it('GIVEN a click whose session_id holds a bidi override WHEN parsed THEN the click is refused: every id field uses the one schema', () => {
    const click = {
      event_type: 'Click',
      event_id: 'e-1',
      timestamp: '2025-04-07T12:34:56Z',
      user_id: 'u',
      product_id: 'p',
    };
    expect(ClickSchema.safeParse(click).success).toBe(true);
    expect(ClickSchema.safeParse({ ...click, session_id: 's\u202E' }).success).toBe(false);
    expect(ClickSchema.safeParse({ ...click, click_id: 'c\u2028' }).success).toBe(false);
  });
});

describe('PaymentMethodSchema: a token', () => {
  it.each([
    ['CR LF', 'credit_card\r\nX-Injected: 1'],
    ['a line feed', 'card\n'],
    ['NUL', 'card\u0000'],
    ['a space', 'credit card'],
    ['65 characters', 'a'.repeat(65)],
    ['nothing', ''],
  ])('GIVEN a payment method with %s WHEN parsed THEN it is refused', (_name, value) => {
    expect(PaymentMethodSchema.safeParse(value).success).toBe(false);
    expect(OrderCreatedSchema.safeParse(order({ payment_method: value })).success).toBe(false);
  });

  it.each(['credit_card', 'declined_card', 'pm_1NvXyZ2eZvKYlo2C', 'tok.visa:1'])(
    'GIVEN %p WHEN parsed THEN it is accepted',
    (value) => {
      expect(PaymentMethodSchema.safeParse(value).success).toBe(true);
    },
  );
});

describe('amount limits per currency (ISO 4217 minor units)', () => {
  it("GIVEN the table WHEN read THEN the minor units are ISO 4217's: JPY and KRW 0, the dinars and OMR 3, the rest 2", () => {
    const units = Object.fromEntries(Object.entries(CURRENCIES).map(([code, c]) => [code, c.minorUnits]));
    expect(units).toEqual({
      USD: 2,
      EUR: 2,
      GBP: 2,
      CHF: 2,
      CAD: 2,
      AUD: 2,
      SEK: 2,
      NOK: 2,
      DKK: 2,
      PLN: 2,
      JPY: 0,
      KRW: 0,
      KWD: 3,
      BHD: 3,
      OMR: 3,
      JOD: 3,
      TND: 3,
    });
  });

  it('GIVEN every currency WHEN its limit is read THEN it is a whole number of minor units', () => {
    for (const { maxMinor } of Object.values(CURRENCIES)) expect(Number.isSafeInteger(maxMinor)).toBe(true);
  });

  it('GIVEN an order of 1,200,000 JPY WHEN parsed THEN it is accepted (about $8,000; a flat 1,000,000 refused it)', () => {
    const items = [{ product_id: 'abc', quantity: 1, unit_price: 1_200_000 }];
    expect(OrderCreatedSchema.safeParse(order({ currency: 'JPY', amount: 1_200_000, items })).success).toBe(true);
  });

  it('GIVEN an order of 1,000,000 KWD WHEN parsed THEN it is refused (about $3.2M; a flat 1,000,000 let it pass)', () => {
    const items = [{ product_id: 'abc', quantity: 1, unit_price: 1_000_000 }];
    const parsed = OrderCreatedSchema.safeParse(order({ currency: 'KWD', amount: 1_000_000, items }));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['amount', 'items.0.unit_price']);
  });

  it('GIVEN the limit itself and one minor unit over it WHEN checked THEN the first is within and the second is not', () => {
    expect(withinLimit(maxAmount('USD'), 'USD')).toBe(true);
    expect(withinLimit(maxAmount('USD') + 0.01, 'USD')).toBe(false);
    expect(withinLimit(maxAmount('KWD') + 0.001, 'KWD')).toBe(false);
  });

  it('GIVEN a currency outside the table WHEN an order is parsed THEN it is refused', () => {
    expect(OrderCreatedSchema.safeParse(order({ currency: 'XYZ' })).success).toBe(false);
  });
});
