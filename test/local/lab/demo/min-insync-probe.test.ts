import { MultipleErrors, ProtocolError, TimeoutError } from '@platformatic/kafka';
import { mayHaveAppended, minInsyncRefusal } from '../../../../local/lab/demo/min-insync-probe';

/** What a failed acks=all send throws: the producer's attempts, each a protocol or network error. */
const producerError = (...attempts: Error[]) =>
  new MultipleErrors('Producing messages failed.', [new MultipleErrors('produce failed', attempts)]);

describe('minInsyncRefusal', () => {
  it('GIVEN a send whose attempts first timed out and then were refused for too few in-sync replicas WHEN classified THEN it is NOT_ENOUGH_REPLICAS, code 19', () => {
    const error = producerError(new TimeoutError('Request timed out'), new ProtocolError(19));

    expect(minInsyncRefusal(error)).toEqual({ error: 'NOT_ENOUGH_REPLICAS', code: 19 });
  });

  it('GIVEN a refusal after the leader appended the records WHEN classified THEN it is NOT_ENOUGH_REPLICAS_AFTER_APPEND, code 20', () => {
    expect(minInsyncRefusal(producerError(new ProtocolError('NOT_ENOUGH_REPLICAS_AFTER_APPEND')))).toEqual({
      error: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
      code: 20,
    });
  });

  it('GIVEN only timeouts, another Kafka error or a plain error WHEN classified THEN it is no min-ISR refusal', () => {
    expect(minInsyncRefusal(producerError(new TimeoutError('Request timed out')))).toBeUndefined();
    expect(minInsyncRefusal(producerError(new ProtocolError('NOT_LEADER_OR_FOLLOWER')))).toBeUndefined();
    expect(minInsyncRefusal(new Error('NOT_ENOUGH_REPLICAS'))).toBeUndefined();
    expect(minInsyncRefusal(undefined)).toBeUndefined();
  });
});

describe('mayHaveAppended', () => {
  it('GIVEN a send whose every attempt was refused with NOT_ENOUGH_REPLICAS WHEN checked THEN nothing was appended', () => {
    expect(mayHaveAppended(producerError(new ProtocolError(19), new ProtocolError(19)))).toBe(false);
  });

  it('GIVEN a send with a timed-out attempt or a refusal after the append WHEN checked THEN it may have been appended', () => {
    expect(mayHaveAppended(producerError(new TimeoutError('Request timed out'), new ProtocolError(19)))).toBe(true);
    expect(mayHaveAppended(producerError(new ProtocolError(20)))).toBe(true);
  });
});
