/**
 * ISO 4217 minor units: the decimals a currency's amounts may carry. Two unless listed (the ISO 4217
 * list's exponent 0 and 3 currencies); the known codes are those of the runtime's ICU data.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    [
      'BIF',
      'CLP',
      'DJF',
      'GNF',
      'ISK',
      'JPY',
      'KMF',
      'KRW',
      'PYG',
      'RWF',
      'UGX',
      'UYI',
      'VND',
      'VUV',
      'XAF',
      'XOF',
      'XPF',
    ].map((code) => [code, 0]),
  ),
  ...Object.fromEntries(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((code) => [code, 3])),
};

const KNOWN = new Set(Intl.supportedValuesOf('currency'));

/** The minor units of an ISO 4217 currency code, or undefined for a code that is not one. */
export function minorUnits(currency: string): number | undefined {
  if (!KNOWN.has(currency)) return undefined;
  return MINOR_UNITS[currency] ?? 2;
}

/** True when `amount` has no more decimals than the currency allows (JPY 100, not 100.5). */
export function fitsMinorUnits(amount: number, units: number): boolean {
  const scaled = amount * 10 ** units;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}

/** An amount in integer minor units (cents, fils): summing floats (0.1 + 0.2) drifts, integers do not. */
export function toMinorUnits(amount: number, units: number): number {
  return Math.round(amount * 10 ** units);
}
