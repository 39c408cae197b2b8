import { dynamo } from '../shared/dynamodb';
import { newId } from '../shared/ids';
import { DynamoDbOrderRepository } from './adapters/dynamodb-order-repository';
import { DynamoDbProductCatalog } from './adapters/dynamodb-product-catalog';
import { orderApiConfigFromEnv } from './config';
import { createOrderApi } from './order-api';
import { withObservability } from '../shared/lambda-handler';

/**
 * HTTP API (payload 2.0): POST /orders and GET /orders/{order_id}. DynamoDB round trips: POST with
 * an Idempotency-Key 1 for a replay (GetItem of the order it replays) and 3 for a new order (that
 * GetItem, BatchGetItem of the catalog, TransactWriteItems of order + outbox event), POST without
 * a key 2 (no lookup), GET 1 (GetItem).
 */
const config = orderApiConfigFromEnv();
const orders = new DynamoDbOrderRepository(dynamo, config);

const catalog = new DynamoDbProductCatalog(dynamo, config.catalogTable);

export const handleOrderApiRequest = createOrderApi({ orders, catalog, now: () => new Date(), newId });

export const handler = withObservability(handleOrderApiRequest, { resetKeys: true });
