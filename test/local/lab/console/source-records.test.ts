import { Readable } from 'node:stream';
import {
  csvRecords,
  lineRecords,
  parseCsvHeader,
  RecordError,
  typedCell,
  typedRow,
  type SourceRecord,
} from '../../../../local/lab/console/source-records';

/** The producer's input: CSV rows with typed columns, and NDJSON lines with optional keys. */
describe('console input records', () => {
  const read = async (records: AsyncIterable<SourceRecord>) => {
    const all: SourceRecord[] = [];
    for await (const record of records) all.push(record);
    return all;
  };
  const csv = (text: string) => read(csvRecords(Readable.from([text])));
  const lines = (text: string) => read(lineRecords(Readable.from([text])));

  describe('CSV header', () => {
    it('GIVEN name:type headers WHEN parsed THEN each column has its field and type, text by default', () => {
      expect(parseCsvHeader(['user_id', 'quantity:number', ' paid:Boolean ', 'items:json', 'note:string'])).toEqual([
        { field: 'user_id', type: 'string' },
        { field: 'quantity', type: 'number' },
        { field: 'paid', type: 'boolean' },
        { field: 'items', type: 'json' },
        { field: 'note', type: 'string' },
      ]);
    });

    it.each([
      [['a', 'b:date'], /column "b:date" has type "date"; use one of string, number, boolean, json/],
      [['a', 'a:number'], /column "a" appears twice/],
      [['a', ''], /column 2 has no name/],
    ])('GIVEN the header %j WHEN parsed THEN it is refused: %s', (header, message) => {
      expect(() => parseCsvHeader(header)).toThrow(message);
    });
  });

  describe('CSV cells', () => {
    it.each([
      ['42', 'number', 42],
      ['-0.5', 'number', -0.5],
      ['1e3', 'number', 1000],
      ['TRUE', 'boolean', true],
      ['false', 'boolean', false],
      ['{"a":[1,2]}', 'json', { a: [1, 2] }],
      ['0042', 'string', '0042'],
      [' spaced ', 'string', ' spaced '],
    ] as const)('GIVEN "%s" in a %s column WHEN typed THEN it is %j', (cell, type, expected) => {
      expect(typedCell(cell, type, 'here')).toEqual(expected);
    });

    it.each([
      ['0042', 'number', /here: "0042" is not a number/],
      ['0x10', 'number', /is not a number/],
      ['Infinity', 'number', /is not a number/],
      ['yes', 'boolean', /here: "yes" is not true or false/],
      ['{oops', 'json', /here: not JSON/],
    ] as const)('GIVEN "%s" in a %s column WHEN typed THEN it is refused', (cell, type, message) => {
      expect(() => typedCell(cell, type, 'here')).toThrow(message);
    });

    it('GIVEN an empty cell WHEN the row is typed THEN its field is left out, whatever the type', () => {
      const columns = parseCsvHeader(['user_id', 'referrer', 'quantity:number']);
      expect(typedRow(columns, ['u-1', '', ''], 2)).toEqual({ user_id: 'u-1' });
    });

    it('GIVEN a row with a missing cell WHEN typed THEN the error names the line and both counts', () => {
      expect(() => typedRow(parseCsvHeader(['a', 'b']), ['1'], 7)).toThrow('line 7: 1 cells, the header has 2 columns');
    });
  });

  describe('CSV files', () => {
    it('GIVEN quoted cells with commas, quotes and a newline WHEN read THEN each row is one typed record with its line', async () => {
      const records = await csv(
        '\uFEFForder_id,items:json,amount:number,note\r\n' +
          'o-1,"[{""product_id"":""abc"",""quantity"":2}]",99.5,"one, two"\r\n' +
          '\r\n' +
          'o-2,[],0,"multi\nline"\r\n',
      );
      expect(records).toEqual([
        {
          line: 2,
          value: { order_id: 'o-1', items: [{ product_id: 'abc', quantity: 2 }], amount: 99.5, note: 'one, two' },
        },
        { line: 5, value: { order_id: 'o-2', items: [], amount: 0, note: 'multi\nline' } },
      ]);
    });

    it('GIVEN a bad number on the third line WHEN read THEN the error names the line and the column', async () => {
      await expect(csv('id,n:number\na,1\nb,x\n')).rejects.toThrow('line 3, column n: "x" is not a number');
    });

    it("GIVEN an unclosed quote WHEN read THEN a RecordError carries the parser's reason", async () => {
      await expect(csv('id,note\na,"open\n')).rejects.toThrow(RecordError);
    });

    it('GIVEN an empty file WHEN read THEN it is refused for lack of a header', async () => {
      await expect(csv('')).rejects.toThrow('the file is empty (it needs a header row)');
    });
  });

  describe('lines', () => {
    it('GIVEN JSON lines, key<TAB>value lines and blank lines WHEN read THEN keys are split off only where the line does not start with {', async () => {
      const records = await lines('{"a":1}\n\nu-1\t{"b":2}\n  {"c":\t3}\n"text"\n');
      expect(records).toEqual([
        { line: 1, key: undefined, value: { a: 1 } },
        { line: 3, key: 'u-1', value: { b: 2 } },
        { line: 4, key: undefined, value: { c: 3 } },
        { line: 5, key: undefined, value: 'text' },
      ]);
    });

    it('GIVEN a line that is not JSON WHEN read THEN the error names its line', async () => {
      await expect(lines('{"a":1}\n{nope}\n')).rejects.toThrow(/^line 2: not JSON/);
    });
  });
});
