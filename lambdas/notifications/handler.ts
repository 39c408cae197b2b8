import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientConfig } from '../shared/aws-client-config';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DemoCustomerDirectory } from './adapters/demo-customer-directory';
import { DynamoDbNotificationLog } from './adapters/dynamodb-notification-log';
import { DynamoDbOrderLookup } from './adapters/dynamodb-order-lookup';
import { SesEmailSender } from './adapters/ses-email-sender';
import { notificationsConfigFromEnv, SES_CLIENT_TIMEOUTS } from './config';
import { notificationsConsumer } from './notifications-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Notifications: MSK event source mappings on billing_outcome, inventory_outcome (OrderCancelled)
 * and shipping (ShipmentDispatched). Per email: 3 DynamoDB round trips (claim, order read,
 * completion) and one send; a duplicate costs 1 (the claim, which returns the sent record), plus
 * 1 per earlier change of the order (its claim, which finds it sent unless it is sent now).
 */
const config = notificationsConfigFromEnv();
const email = new SesEmailSender(
  new SESv2Client(awsClientConfig(SES_CLIENT_TIMEOUTS)),
  config.from,
  config.transport.configurationSet,
);

export const lambdaHandler = notificationsConsumer({
  log: new DynamoDbNotificationLog(dynamo, config.notificationsTable, config.analyticsTable),
  orders: new DynamoDbOrderLookup(dynamo, config.ordersTable),
  customers: new DemoCustomerDirectory(),
  email,
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('notifications', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
);
