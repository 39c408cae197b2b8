import './click-api-env';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handler } from '../../../lambdas/click-api/handler';
import { ClickSchema } from '../../../lambdas/shared/contracts/events';
import * as kafkaPublisher from '../../../lambdas/shared/kafka/kafka-publisher';
import { loadEvent } from '../../support/msk';
import type { RecordingPublisher } from '../../support/doubles/publisher';

jest.mock('../../../lambdas/shared/kafka/kafka-publisher', () => {
  const actual = jest.requireActual('../../../lambdas/shared/kafka/kafka-publisher');
  const { RecordingPublisher } = jest.requireActual('../../support/doubles/publisher');
  const recorder = new RecordingPublisher();
  return { ...actual, KafkaEventPublisher: jest.fn(() => recorder), recorder };
});
const recorder = (kafkaPublisher as unknown as { recorder: RecordingPublisher }).recorder;

const context = { functionName: 'click-api', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as Context;
const call = async (event: APIGatewayProxyEventV2) =>
  (await handler(event, context)) as APIGatewayProxyStructuredResultV2 & { body: string };

beforeEach(() => {
  recorder.published.length = 0;
  recorder.failNext = 0;
});

describe('click API handler.ts', () => {
  it('GIVEN api-post-clicks.json WHEN handled THEN both clicks are on the clicks topic keyed by user_id and the answer is 202', async () => {
    const response = await call(loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json'));

    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ accepted: 2 });
    expect(recorder.published.map((p) => [p.topic, p.key, p.event.event_type])).toEqual([
      ['clicks', '123', 'Click'],
      ['clicks', '123', 'Click'],
    ]);
    for (const { event } of recorder.published) expect(ClickSchema.safeParse(event).success).toBe(true);
    expect(kafkaPublisher.KafkaEventPublisher).toHaveBeenCalledWith(expect.objectContaining({ clientId: 'click-api' }));
  });

  it('GIVEN a click without product_id WHEN handled THEN the answer is 422 naming the field and nothing is published', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json');
    event.body = JSON.stringify({ user_id: '123', timestamp: '2025-04-07T12:30:00Z' });

    const response = await call(event);

    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body).error.details).toEqual([expect.objectContaining({ path: 'product_id' })]);
    expect(recorder.published).toEqual([]);
  });

  it('GIVEN a broker that does not acknowledge WHEN handled THEN the answer is 503 with Retry-After, so that the client sends the batch again', async () => {
    recorder.failNext = 1;

    const response = await call(loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json'));

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
  });

  it('GIVEN GET /clicks WHEN handled THEN the answer is 405 with Allow: POST', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json');
    event.requestContext.http.method = 'GET';

    const response = await call(event);

    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'POST' });
  });
});
