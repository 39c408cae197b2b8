import { dynamo } from '../shared/dynamodb';
import { newId } from '../shared/ids';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository';
import { orderApiConfigFromEnv } from './config';
import { createOrderApi } from './order-api';
import { withObservability } from '../shared/lambda-handler';

/**
 * HTTP API (payload 2.0): POST /orders and GET /orders/{order_id}. 1 DynamoDB round trip per
 * request: TransactWriteItems (order + outbox event) for POST, GetItem for GET.
 */
const config = orderApiConfigFromEnv();
const orders = new DynamoDbOrderRepository(dynamo, config);

export const handleOrderApiRequest = createOrderApi({ orders, now: () => new Date(), newId });

export const handler = withObservability(handleOrderApiRequest, { resetKeys: true });
