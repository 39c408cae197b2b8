import type { Context } from 'aws-lambda';
import type { FunctionId } from '../../lambdas/shared/contracts/functions';
import { lambdaContext } from './doubles/lambda-context';
import { coldStart } from './function-env';

type Handler = (event: never, context: Context) => Promise<unknown>;

/**
 * A function's deployed handler (its handler.ts), called as Lambda calls it: loaded at the first
 * call with the environment the CDK app gives it (coldStart), then invoked with its lambdaContext.
 */
export function deployedHandler<H extends Handler>(
  functionId: FunctionId,
  load: () => Promise<{ readonly handler: H }>,
): (event: Parameters<H>[0]) => ReturnType<H> {
  let loaded: Promise<{ readonly handler: H }> | undefined;
  return ((event: Parameters<H>[0]) =>
    (loaded ??= coldStart(functionId, load)).then(({ handler }) => handler(event, lambdaContext(functionId)))) as (
    event: Parameters<H>[0],
  ) => ReturnType<H>;
}
