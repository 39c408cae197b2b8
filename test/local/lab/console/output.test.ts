import { formatGroups } from '../../../../local/lab/console/groups';
import { describeError } from '../../../../local/lab/console/main';

/** What the console tools print: group lag tables and failures with their root causes. */
describe('console output', () => {
  it('GIVEN a group with and without committed offsets WHEN formatted THEN unknown lag shows "-" and the total counts known lag only', () => {
    const partition = (p: number, committed: number | null, end: number) => ({
      group: 'billing.orders',
      state: 'Stable',
      topic: 'orders',
      partition: p,
      committed,
      end,
      lag: committed === null ? null : end - committed,
    });
    const text = formatGroups([
      {
        group: 'billing.orders',
        state: 'Stable',
        partitions: [partition(0, 8, 10), partition(1, null, 4)],
        totalLag: 2,
      },
      { group: 'idle', state: 'Empty', partitions: [], totalLag: 0 },
    ]);
    expect(text).toBe(
      [
        'GROUP           STATE   TOPIC   PARTITION  COMMITTED  END  LAG',
        'billing.orders  Stable  orders          0          8   10    2',
        'billing.orders  Stable  orders          1          -    4    -',
        'idle            Empty   -               -          -    -    -',
        '',
        'Total lag per group: billing.orders 2, idle 0',
        '',
      ].join('\n'),
    );
  });

  it('GIVEN a client error nesting failed retries and refused connections WHEN described THEN each distinct root cause is named once', () => {
    const refused = (port: number) =>
      new Error(`Connection to 127.0.0.1:${port} failed.`, {
        cause: new Error(`connect ECONNREFUSED 127.0.0.1:${port}`),
      });
    const retries = Object.assign(new Error('metadata failed 2 times.'), {
      errors: [refused(1), refused(1), refused(2)],
    });
    const error = Object.assign(new Error('Listing topics failed.'), { errors: [retries] });

    expect(describeError(error)).toBe(
      'Listing topics failed. (connect ECONNREFUSED 127.0.0.1:1; connect ECONNREFUSED 127.0.0.1:2)',
    );
    expect(describeError(new Error('plain'))).toBe('plain');
  });

  it('GIVEN a programming error WHEN described THEN its stack is kept for the bug report', () => {
    expect(describeError(new TypeError('x is not a function'))).toMatch(/^TypeError: x is not a function\n\s+at /);
  });
});
