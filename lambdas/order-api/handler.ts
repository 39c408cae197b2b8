import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { newId } from '../shared/ids';
import { logger, metrics } from '../shared/observability';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository';
import { orderApiConfigFromEnv } from './config';
import { createOrderApi } from './order-api';

/**
 * HTTP API (payload 2.0): POST /orders and GET /orders/{order_id}. 1 DynamoDB round trip per
 * request: TransactWriteItems (order + outbox event) for POST, GetItem for GET.
 */
const config = orderApiConfigFromEnv();
const orders = new DynamoDbOrderRepository(dynamo, config);

export const handleOrderApiRequest = createOrderApi({ orders, now: () => new Date(), newId });

export const handler = middy(handleOrderApiRequest)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
