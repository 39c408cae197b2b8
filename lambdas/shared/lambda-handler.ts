import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics } from './observability';

/**
 * The middy chain every deployed handler shares: the Lambda context in the logs, and the metrics
 * flushed (with a ColdStart metric) after each invocation. `resetKeys` clears per-request log keys
 * for handlers that add them (HTTP requests, stream records).
 */
export function withObservability<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
  options: { readonly resetKeys?: boolean } = {},
) {
  return middy(fn)
    .use(injectLambdaContext(logger, options.resetKeys ? { resetKeys: true } : undefined))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
