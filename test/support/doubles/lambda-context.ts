import type { Context } from 'aws-lambda';
import { functionName, type FunctionId } from '../../../lambdas/shared/contracts/functions';

/** A Lambda context as the runtime passes it, for calling the middy-wrapped handlers. */
export function lambdaContext(functionId: FunctionId): Context {
  const name = functionName(functionId);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2025/04/07/[$LATEST]abcdef0123456789',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
