import { CURRENCIES, isAcceptedCurrency } from '../shared/contracts/currencies';

export { toMinorUnits } from '../shared/contracts/currencies';

/** The minor units of an accepted currency (lambdas/shared/contracts/currencies.ts), or undefined. */
export function minorUnits(currency: string): number | undefined {
  return isAcceptedCurrency(currency) ? CURRENCIES[currency].minorUnits : undefined;
}

/** True when `amount` has no more decimals than the currency allows (JPY 100, not 100.5). */
export function fitsMinorUnits(amount: number, units: number): boolean {
  const scaled = amount * 10 ** units;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6;
}
