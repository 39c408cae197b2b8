/**
 * The currencies the shop accepts, from ISO 4217: each one's minor units (the decimals its amounts
 * carry: JPY 0, USD 2, KWD 3) and the largest amount of one order, in those minor units. One table
 * for the order API and the event contract. The limit is about USD 1,000,000 in each currency,
 * rounded, so that a yen order is not refused at $6,700 while a dinar order passes at $3.2M.
 * To accept a currency, add its ISO 4217 exponent here (https://www.iso.org/iso-4217-currency-codes.html).
 */
export const CURRENCIES = {
  USD: { minorUnits: 2, maxMinor: 1_000_000_00 },
  EUR: { minorUnits: 2, maxMinor: 1_000_000_00 },
  GBP: { minorUnits: 2, maxMinor: 800_000_00 },
  CHF: { minorUnits: 2, maxMinor: 900_000_00 },
  CAD: { minorUnits: 2, maxMinor: 1_400_000_00 },
  AUD: { minorUnits: 2, maxMinor: 1_500_000_00 },
  SEK: { minorUnits: 2, maxMinor: 10_000_000_00 },
  NOK: { minorUnits: 2, maxMinor: 10_000_000_00 },
  DKK: { minorUnits: 2, maxMinor: 7_000_000_00 },
  PLN: { minorUnits: 2, maxMinor: 4_000_000_00 },
  JPY: { minorUnits: 0, maxMinor: 150_000_000 },
  KRW: { minorUnits: 0, maxMinor: 1_400_000_000 },
  KWD: { minorUnits: 3, maxMinor: 300_000_000 },
  BHD: { minorUnits: 3, maxMinor: 375_000_000 },
  OMR: { minorUnits: 3, maxMinor: 385_000_000 },
  JOD: { minorUnits: 3, maxMinor: 700_000_000 },
  TND: { minorUnits: 3, maxMinor: 3_000_000_000 },
} as const satisfies Record<string, { readonly minorUnits: number; readonly maxMinor: number }>;

export type CurrencyCode = keyof typeof CURRENCIES;

export function isAcceptedCurrency(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCIES, code);
}

/** An amount in integer minor units (cents, fils): summing floats (0.1 + 0.2) drifts, integers do not. */
export function toMinorUnits(amount: number, units: number): number {
  return Math.round(amount * 10 ** units);
}

/** The largest amount of one order in the currency, in its own decimals (USD 1000000, KWD 300000). */
export function maxAmount(code: CurrencyCode): number {
  const { minorUnits, maxMinor } = CURRENCIES[code];
  return maxMinor / 10 ** minorUnits;
}

/** True when the amount is within the currency's limit (compared in integer minor units). */
export function withinLimit(amount: number, code: CurrencyCode): boolean {
  const { minorUnits, maxMinor } = CURRENCIES[code];
  return toMinorUnits(amount, minorUnits) <= maxMinor;
}
