import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { SIMULATED_PROVIDER_LOG_MESSAGE } from './adapters/simulated-payment-provider';
import { DynamoDbPaymentStore } from './adapters/dynamodb-payment-store';
import { billingConsumer } from './billing-consumer';
import { billingConfigFromEnv } from './config';
import { billingPaymentProvider } from './provider';
import { withObservability } from '../shared/lambda-handler';
import { logger } from '../shared/observability';

/**
 * Billing: MSK event source mappings on `orders` (charge) and `inventory_outcome` filtered on
 * OrderCancelled (refund). DynamoDB round trips per record: a charge is 2 (conditional Put of the
 * claim, conditional Update of the result), a refund is 2 (conditional Updates: claim, result); a
 * re-emission after a redelivery is 1, the claim whose failed condition returns the completed entry.
 * Config and clients live for the execution environment.
 */
const config = billingConfigFromEnv();
const publisher = new KafkaEventPublisher(config.kafka);

// Every request the provider sees is logged: its statement, read by the local chaos run (I9).
const { provider, providerKeyTrustMs } = billingPaymentProvider(config, (entry) =>
  logger.info(SIMULATED_PROVIDER_LOG_MESSAGE, { ...entry }),
);

export const lambdaHandler = billingConsumer({
  payments: new DynamoDbPaymentStore(dynamo, config.paymentsTable),
  provider,
  // A claim is carried out again with its key only while the provider surely still keeps it.
  providerKeyTrustMs,
  publisher,
  partialBatchResponse: config.partialBatchResponse,
  now: () => new Date(),
});

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('billing', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
);
