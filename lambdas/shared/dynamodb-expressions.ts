/**
 * The terms of an update expression over attributes named through placeholders, so that any name
 * works (reserved words, `#` or `.` in it): for `{ views: 1 }` and prefix `c`, the term `#c0 :c0`
 * (`ADD`) or `#c0 = :c0` (`SET`), with `#c0` -> `views` and `:c0` -> 1. No SDK import: building an
 * expression is plain data.
 */
export interface PlaceholderTerms {
  readonly terms: readonly string[];
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

export function placeholderTerms(
  prefix: string,
  attributes: Readonly<Record<string, unknown>>,
  clause: 'ADD' | 'SET',
): PlaceholderTerms {
  const entries = Object.entries(attributes);
  const operator = clause === 'ADD' ? ' ' : ' = ';
  return {
    terms: entries.map((_, i) => `#${prefix}${i}${operator}:${prefix}${i}`),
    names: Object.fromEntries(entries.map(([name], i) => [`#${prefix}${i}`, name])),
    values: Object.fromEntries(entries.map(([, value], i) => [`:${prefix}${i}`, value])),
  };
}
