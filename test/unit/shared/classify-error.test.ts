import { classifyError, PoisonRecordError } from '../../../lambdas/shared/errors';

/** An error shaped like the AWS SDK v3's service exceptions. */
function awsError(name: string, fault: 'client' | 'server', status: number, extra: object = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}

/** An error shaped like @platformatic/kafka's ProtocolError inside its ResponseError (an AggregateError). */
function kafkaResponseError(apiId: string): Error {
  const protocol = Object.assign(new Error(`${apiId} from the broker`), { code: 'PLT_KFK_PROTOCOL', apiId });
  return Object.assign(new AggregateError([protocol], 'Received response with error while executing API Produce(v9)'), {
    code: 'PLT_KFK_RESPONSE',
  });
}

describe('classifyError', () => {
  it.each([
    [
      'DynamoDB ProvisionedThroughputExceededException',
      awsError('ProvisionedThroughputExceededException', 'client', 400),
    ],
    ['DynamoDB ThrottlingException', awsError('ThrottlingException', 'client', 400)],
    ['DynamoDB InternalServerError', awsError('InternalServerError', 'server', 500)],
    [
      'a transaction cancelled for a conflict',
      awsError('TransactionCanceledException', 'client', 400, {
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    ],
    ['an AWS server fault of any name', awsError('SomethingNew', 'server', 503)],
    ['Kafka LEADER_NOT_AVAILABLE', kafkaResponseError('LEADER_NOT_AVAILABLE')],
    ['Kafka NOT_LEADER_OR_FOLLOWER', kafkaResponseError('NOT_LEADER_OR_FOLLOWER')],
    ['Kafka NOT_ENOUGH_REPLICAS', kafkaResponseError('NOT_ENOUGH_REPLICAS')],
    ['a connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
    [
      "the Kafka client's network error wrapping a refused connection",
      Object.assign(new Error('Connection failed'), {
        code: 'PLT_KFK_NETWORK',
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    ],
    ['a provider answering 429', Object.assign(new Error('slow down'), { statusCode: 429 })],
    ['a provider answering 503', Object.assign(new Error('unavailable'), { status: 503 })],
    [
      'SES v2 TooManyRequestsException (a sending rate above the quota)',
      awsError('TooManyRequestsException', 'client', 429),
    ],
  ])('GIVEN %s WHEN classified THEN it is transient, worth waiting for', (_name, error) => {
    expect(classifyError(error).kind).toBe('transient');
  });

  it.each([
    ['a PoisonRecordError', new PoisonRecordError('unknown order o-1'), /unknown order o-1/],
    [
      'DynamoDB ValidationException',
      awsError('ValidationException', 'client', 400, { message: 'Item size has exceeded the maximum allowed size' }),
      /ValidationException: Item size has exceeded/,
    ],
    [
      'a transaction cancelled for a validation error',
      awsError('TransactionCanceledException', 'client', 400, { CancellationReasons: [{ Code: 'ValidationError' }] }),
      /TransactionCanceledException/,
    ],
    ['Kafka MESSAGE_TOO_LARGE', kafkaResponseError('MESSAGE_TOO_LARGE'), /MESSAGE_TOO_LARGE/],
    ['Kafka RECORD_LIST_TOO_LARGE', kafkaResponseError('RECORD_LIST_TOO_LARGE'), /RECORD_LIST_TOO_LARGE/],
    [
      "the Java client's RecordTooLargeException",
      Object.assign(new Error('too large'), { name: 'RecordTooLargeException' }),
      /RecordTooLarge/,
    ],
    ['a stack overflow', new RangeError('Maximum call stack size exceeded'), /overflows the stack/],
    [
      'a provider answering 422',
      Object.assign(new Error('card number invalid'), { statusCode: 422 }),
      /refused the request \(422\)/,
    ],
    ['a provider answering 400', Object.assign(new Error('bad amount'), { status: 400 }), /\(400\)/],
  ])('GIVEN %s WHEN classified THEN it is poison with a reason', (_name, error, reason) => {
    const failure = classifyError(error);
    expect(failure.kind).toBe('poison');
    expect(failure.kind === 'poison' && failure.reason).toMatch(reason);
  });

  it.each([
    ['a plain Error', new Error('something broke')],
    [
      'DynamoDB ResourceNotFoundException (a missing table fails every record)',
      awsError('ResourceNotFoundException', 'client', 400),
    ],
    ['DynamoDB AccessDeniedException (a missing grant)', awsError('AccessDeniedException', 'client', 400)],
    ['an uncaught ConditionalCheckFailedException', awsError('ConditionalCheckFailedException', 'client', 400)],
    ['a provider answering 401', Object.assign(new Error('bad key'), { statusCode: 401 })],
    ['a provider answering 403', Object.assign(new Error('forbidden'), { statusCode: 403 })],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])(
    'GIVEN %s WHEN classified THEN it is unexpected: handed back to Lambda, neither waited for nor dead-lettered',
    (_name, error) => {
      expect(classifyError(error)).toEqual({ kind: 'unexpected' });
    },
  );

  it('GIVEN a combined failure holding a transient and a poison error WHEN classified THEN poison wins, as no retry can succeed', () => {
    const error = new AggregateError([
      kafkaResponseError('LEADER_NOT_AVAILABLE'),
      kafkaResponseError('MESSAGE_TOO_LARGE'),
    ]);
    expect(classifyError(error).kind).toBe('poison');
  });

  it('GIVEN an error whose cause refers back to itself WHEN classified THEN it terminates', () => {
    const error: Error & { cause?: unknown } = new Error('loop');
    error.cause = error;
    expect(classifyError(error)).toEqual({ kind: 'unexpected' });
  });
});
