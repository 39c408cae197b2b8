/**
 * Lambda event filtering: the FilterCriteria patterns of an event source mapping, applied to each
 * record before batching. A record that matches no pattern never reaches the function, and its
 * position is committed as if it had been processed.
 *
 * The pattern syntax and its semantics follow
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html (keys are ANDed, the
 * values of a key are ORed, several filters are ORed; null, empty, equals, equals-ignore-case,
 * prefix, suffix, anything-but, numeric, exists, `$or`), and for Kafka records
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html (only `value` is filtered; the
 * value is decoded as UTF-8, then as JSON when it parses; when the value's format and the pattern's
 * format differ, or the value is not UTF-8, Lambda filters on the other properties only).
 */

type Leaf = string | number | boolean | null;

type Matcher =
  | { readonly kind: 'equals'; readonly value: Leaf }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'anything-but'; readonly values: readonly Leaf[] }
  | { readonly kind: 'anything-but-prefix'; readonly value: string }
  | { readonly kind: 'numeric'; readonly conditions: readonly [string, number][] }
  | { readonly kind: 'exists'; readonly value: boolean };

/** A compiled pattern: every field condition must hold, and one branch of every `$or`. */
export interface CompiledPattern {
  readonly fields: ReadonlyMap<string, CompiledPattern | readonly Matcher[]>;
  readonly or: readonly CompiledPattern[][];
}

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

/** Parses and checks a pattern (the JSON text of a FilterCriteria filter); throws FilterPatternError. */
export function compilePattern(patternJson: string): CompiledPattern {
  let pattern: unknown;
  try {
    pattern = JSON.parse(patternJson);
  } catch (error) {
    throw new FilterPatternError(`filter pattern is not JSON: ${(error as Error).message}: ${patternJson}`);
  }
  if (!isObject(pattern)) throw new FilterPatternError(`filter pattern must be a JSON object: ${patternJson}`);
  return compileObject(pattern, '');
}

function compileObject(pattern: Record<string, unknown>, path: string): CompiledPattern {
  const fields = new Map<string, CompiledPattern | readonly Matcher[]>();
  const or: CompiledPattern[][] = [];
  for (const [key, rule] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
        throw new FilterPatternError(`"$or" at ${path || 'the top'} must be an array of at least two patterns`);
      }
      or.push(rule.map((branch) => compileObject(branch, path)));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw new FilterPatternError(`${at}: an empty list matches nothing`);
      fields.set(
        key,
        rule.map((r) => compileMatcher(r, at)),
      );
    } else if (isObject(rule)) {
      fields.set(key, compileObject(rule, at));
    } else {
      throw new FilterPatternError(
        `${at}: a rule must be a list of values or a nested pattern, got ${JSON.stringify(rule)}`,
      );
    }
  }
  return { fields, or };
}

function compileMatcher(rule: unknown, at: string): Matcher {
  if (rule === null || ['string', 'number', 'boolean'].includes(typeof rule)) {
    return { kind: 'equals', value: rule as Leaf };
  }
  if (!isObject(rule) || Object.keys(rule).length !== 1) {
    throw new FilterPatternError(`${at}: unsupported rule ${JSON.stringify(rule)}`);
  }
  const [[operator, operand]] = Object.entries(rule);
  const fail = () => new FilterPatternError(`${at}: bad operand for "${operator}": ${JSON.stringify(operand)}`);
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw fail();
      return { kind: operator, value: operand };
    case 'exists':
      if (typeof operand !== 'boolean') throw fail();
      return { kind: 'exists', value: operand };
    case 'numeric': {
      if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) throw fail();
      const conditions: [string, number][] = [];
      for (let i = 0; i < operand.length; i += 2) {
        const [op, n] = [operand[i], operand[i + 1]];
        if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op) || typeof n !== 'number') throw fail();
        conditions.push([op, n]);
      }
      return { kind: 'numeric', conditions };
    }
    case 'anything-but': {
      if (isObject(operand) && typeof operand.prefix === 'string' && Object.keys(operand).length === 1) {
        return { kind: 'anything-but-prefix', value: operand.prefix };
      }
      const values = Array.isArray(operand) ? operand : [operand];
      if (!values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) throw fail();
      return { kind: 'anything-but', values: values as Leaf[] };
    }
    default:
      throw new FilterPatternError(
        `${at}: operator "${operator}" is not one Lambda event filtering supports ` +
          '(prefix, suffix, equals-ignore-case, anything-but, numeric, exists)',
      );
  }
}

/** Whether an event (a JSON value) matches a compiled pattern. */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  for (const [key, rule] of pattern.fields) {
    const present = Object.prototype.hasOwnProperty.call(event, key);
    const value = present ? event[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchesAny(rule as readonly Matcher[], present, value)) return false;
    } else if (!present || !matchesPattern(rule as CompiledPattern, value)) {
      return false;
    }
  }
  return pattern.or.every((branches) => branches.some((branch) => matchesPattern(branch, event)));
}

function matchesAny(matchers: readonly Matcher[], present: boolean, value: unknown): boolean {
  // A list in the event matches when any of its elements matches.
  const candidates = Array.isArray(value) ? value : [value];
  return matchers.some((m) =>
    m.kind === 'exists' ? existsMatches(m.value, present, value) : present && candidates.some((v) => leafMatches(m, v)),
  );
}

/** `exists` is about leaf fields: an object-valued field does not "exist" as a leaf. */
function existsMatches(expected: boolean, present: boolean, value: unknown): boolean {
  const isLeaf = present && !isObject(value);
  return expected === isLeaf;
}

function leafMatches(m: Exclude<Matcher, { kind: 'exists' }>, value: unknown): boolean {
  switch (m.kind) {
    case 'equals':
      return value === m.value;
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === m.value.toLowerCase();
    case 'prefix':
      return typeof value === 'string' && value.startsWith(m.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(m.value);
    case 'anything-but':
      return (
        (value === null || ['string', 'number', 'boolean'].includes(typeof value)) && !m.values.includes(value as Leaf)
      );
    case 'anything-but-prefix':
      return typeof value === 'string' && !value.startsWith(m.value);
    case 'numeric':
      return typeof value === 'number' && m.conditions.every(([op, n]) => compare(value, op, n));
  }
}

function compare(value: number, op: string, n: number): boolean {
  switch (op) {
    case '=':
      return value === n;
    case '<':
      return value < n;
    case '<=':
      return value <= n;
    case '>':
      return value > n;
    default:
      return value >= n;
  }
}

/** A set of filters (FilterCriteria.Filters): a record passes when any of them matches; no filters pass everything. */
export interface RecordFilter {
  /** Whether an event (e.g. a DynamoDB stream record as Lambda delivers it) passes the filters. */
  matches(event: unknown): boolean;
  /** Whether a Kafka record (base64 value, as Lambda delivers it) passes, with Lambda's rules for the value's format. */
  matchesKafkaRecord(record: { readonly value?: string | null } & Record<string, unknown>): boolean;
}

export function compileFilters(patterns: readonly string[]): RecordFilter {
  const compiled = patterns.map(compilePattern);
  return {
    matches: (event) => compiled.length === 0 || compiled.some((p) => matchesPattern(p, event)),
    matchesKafkaRecord: (record) => compiled.length === 0 || compiled.some((p) => matchesKafkaRecord(p, record)),
  };
}

/** `none`: a null value (a tombstone); `binary`: not UTF-8. */
type ValueFormat = 'json' | 'plain' | 'none' | 'binary';

function matchesKafkaRecord(pattern: CompiledPattern, record: Record<string, unknown>): boolean {
  const valueRule = pattern.fields.get('value');
  const { format, data } = decodeKafkaValue(record.value as string | null | undefined);
  // The pattern's format: a nested pattern filters JSON properties, a list of values filters a plain string.
  const ruleFormat = valueRule === undefined ? undefined : Array.isArray(valueRule) ? 'plain' : 'json';
  // A null value can only be matched by a list of values (`[null]`, `exists: false`).
  const formatsAgree =
    ruleFormat !== undefined && (format === ruleFormat || (format === 'none' && ruleFormat === 'plain'));
  if (formatsAgree) return matchesPattern(pattern, { ...record, value: data });
  // Mismatched formats or a non-UTF-8 value: Lambda filters on the other properties only.
  const fields = new Map(pattern.fields);
  fields.delete('value');
  return matchesPattern({ fields, or: pattern.or }, record);
}

/** The record value as Lambda sees it for filtering: JSON when it parses, else the UTF-8 string. */
function decodeKafkaValue(base64: string | null | undefined): { format: ValueFormat; data: unknown } {
  if (base64 === null || base64 === undefined) return { format: 'none', data: null };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return { format: 'binary', data: undefined };
  }
  try {
    return { format: 'json', data: JSON.parse(text) };
  } catch {
    return { format: 'plain', data: text };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
