import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { createClickApi } from './click-api';
import { clickApiConfigFromEnv } from './config';
import { withObservability } from '../shared/lambda-handler';

/**
 * HTTP API (payload 2.0): POST /clicks. One produce request per HTTP request, acknowledged by all
 * in-sync replicas before the 202. The producer lives as long as the execution environment.
 */
const config = clickApiConfigFromEnv();

export const handleClickApiRequest = createClickApi({
  publisher: new KafkaEventPublisher(config.kafka),
  now: () => new Date(),
});

export const handler = withObservability(handleClickApiRequest, { resetKeys: true });
