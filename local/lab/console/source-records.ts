import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * The records of a producer's input: NDJSON or plain lines (stdin, --file) and CSV rows (--csv),
 * each with the line it came from, so that an error can point at it.
 */
export interface SourceRecord {
  /** 1-based line of the input where the record starts (ends, for a CSV row over several lines). */
  readonly line: number;
  /** A key the input gave explicitly (`key<TAB>value`). */
  readonly key?: string;
  readonly value: unknown;
}

/** A bad record in the input; the message names the line. */
export class RecordError extends Error {}

/**
 * One JSON value per line; blank lines are skipped. A line that does not start with `{` and holds
 * a TAB is `key<TAB>value`: a JSON object never starts with its key, so the rule is unambiguous
 * for events, as kafka-console-producer's `parse.key` with a TAB separator.
 */
export async function* lineRecords(input: Readable): AsyncGenerator<SourceRecord> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    const tab = text.indexOf('\t');
    const keyed = !text.trimStart().startsWith('{') && tab >= 0;
    const raw = keyed ? text.slice(tab + 1) : text;
    yield { line, key: keyed ? text.slice(0, tab) : undefined, value: parseJson(raw, `line ${line}`) };
  }
}

export const COLUMN_TYPES = ['string', 'number', 'boolean', 'json'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  readonly field: string;
  readonly type: ColumnType;
}

/**
 * The typed columns of a CSV header. `name:number`, `name:boolean` and `name:json` type a column;
 * any other column is text. Types come from the header, not from guessing at values: a user id
 * `0042` stays the string the schema expects.
 */
export function parseCsvHeader(cells: readonly string[]): Column[] {
  const columns = cells.map((cell, index) => {
    const match = /^(.*?)(?::(\w+))?$/.exec(cell.trim())!;
    const field = match[1]!.trim();
    const type = (match[2] ?? 'string').toLowerCase();
    if (field === '') throw new RecordError(`CSV header: column ${index + 1} has no name`);
    if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
      throw new RecordError(`CSV header: column "${cell}" has type "${type}"; use one of ${COLUMN_TYPES.join(', ')}`);
    }
    return { field, type: type as ColumnType };
  });
  const seen = new Set<string>();
  for (const { field } of columns) {
    if (seen.has(field)) throw new RecordError(`CSV header: column "${field}" appears twice`);
    seen.add(field);
  }
  return columns;
}

/** One CSV row as an object of typed fields; an empty cell leaves its field out. */
export function typedRow(columns: readonly Column[], cells: readonly string[], line: number): Record<string, unknown> {
  if (cells.length !== columns.length) {
    throw new RecordError(`line ${line}: ${cells.length} cells, the header has ${columns.length} columns`);
  }
  const row: Record<string, unknown> = {};
  columns.forEach(({ field, type }, index) => {
    const cell = cells[index]!;
    if (cell === '') return;
    row[field] = typedCell(cell, type, `line ${line}, column ${field}`);
  });
  return row;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

export function typedCell(cell: string, type: ColumnType, where: string): unknown {
  switch (type) {
    case 'string':
      return cell;
    case 'number': {
      const text = cell.trim();
      // JSON's number grammar: no hex, no "Infinity", no " " that Number() would read as 0.
      if (!JSON_NUMBER.test(text)) throw new RecordError(`${where}: "${cell}" is not a number`);
      return Number(text);
    }
    case 'boolean': {
      const text = cell.trim().toLowerCase();
      if (text !== 'true' && text !== 'false') throw new RecordError(`${where}: "${cell}" is not true or false`);
      return text === 'true';
    }
    case 'json':
      return parseJson(cell, where);
  }
}

/** The rows of a CSV file with a header row (RFC 4180: quoted cells may hold commas, quotes, newlines). */
export async function* csvRecords(input: Readable): AsyncGenerator<SourceRecord> {
  const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true }));
  let columns: Column[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = parseCsvHeader(record);
        continue;
      }
      yield { line: info.lines, value: typedRow(columns, record, info.lines) };
    }
  } catch (error) {
    if (error instanceof RecordError) throw error;
    // csv-parse's errors name the line (an unclosed quote, a quote inside an unquoted cell).
    throw new RecordError(`CSV: ${(error as Error).message}`);
  } finally {
    input.unpipe(parser);
    parser.destroy();
  }
  if (!columns) throw new RecordError('CSV: the file is empty (it needs a header row)');
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RecordError(`${where}: not JSON (${(error as Error).message})`);
  }
}
