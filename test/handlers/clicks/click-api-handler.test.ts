import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ClickSchema } from '../../../lambdas/shared/contracts/events';
import * as kafkaPublisher from '../../../lambdas/shared/kafka/kafka-publisher';
import { loadEvent } from '../../support/msk';
import { deployedHandler } from '../../support/deployed-handler';
import { recorder } from '../../support/recording-kafka-publisher';

jest.mock(
  '../../../lambdas/shared/kafka/kafka-publisher',
  () => jest.requireActual('../../support/recording-kafka-publisher').kafkaPublisherModule,
);

const handle = deployedHandler('clickApi', () => import('../../../lambdas/click-api/handler'));
const call = async (event: APIGatewayProxyEventV2) =>
  (await handle(event)) as APIGatewayProxyStructuredResultV2 & { body: string };

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

  it('GIVEN the broker refuses the batch as MESSAGE_TOO_LARGE WHEN handled THEN the answer is 413 with the reason, never 503 "retry"', async () => {
    recorder.failNext = 1;
    recorder.error = Object.assign(new Error('Message too large'), { apiId: 'MESSAGE_TOO_LARGE' });

    const response = await call(loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json'));
    recorder.error = new Error('broker not available');

    expect(response.statusCode).toBe(413);
    expect(response.headers).not.toHaveProperty('retry-after');
    expect(JSON.parse(response.body).error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining('MESSAGE_TOO_LARGE'),
    });
  });

  it('GIVEN 500 valid clicks of one user whose body is over 512 KiB, which one produce batch could not hold WHEN handled THEN the answer is 413 with the limit and nothing is published', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json');
    const page = `/products/${'p'.repeat(1200)}`;
    event.body = JSON.stringify(
      Array.from({ length: 500 }, (_, n) => ({
        user_id: '123',
        product_id: 'abc',
        click_id: `c-${n}`,
        timestamp: '2025-04-07T12:30:00Z',
        page,
      })),
    );

    const response = await call(event);

    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body).error.message).toContain(`limit is ${512 * 1024}`);
    expect(recorder.published).toEqual([]);
  });

  it('GIVEN GET /clicks WHEN handled THEN the answer is 405 with Allow: POST', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('api-post-clicks.json');
    event.requestContext.http.method = 'GET';

    const response = await call(event);

    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'POST' });
  });
});
