import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startApiGateway, type ApiGateway, type InvokeResult } from '../../../../local/runtime/services/api-gateway';

/** The HTTP API stand-in against a fake integration: the payload 2.0 event it builds and the response it maps back. */
describe('API Gateway HTTP API stand-in', () => {
  let api: ApiGateway;
  const events: APIGatewayProxyEventV2[] = [];
  const invoked: string[] = [];
  let answer: InvokeResult = { result: { statusCode: 200, body: '{}' } };

  beforeAll(async () => {
    api = await startApiGateway({
      routes: [
        { routeKey: 'POST /orders', functionId: 'orderApi' },
        { routeKey: 'GET /orders/{order_id}', functionId: 'orderApi' },
        { routeKey: 'POST /clicks', functionId: 'clickApi' },
        { routeKey: 'GET /analytics/users/{user_id}/recent', functionId: 'analyticsApi' },
        { routeKey: 'GET /dashboard', functionId: 'analyticsApi' },
      ],
      invoke: async (functionId, event) => {
        invoked.push(functionId);
        events.push(event);
        return answer;
      },
    });
  });
  afterAll(async () => {
    await api.stop();
  });
  beforeEach(() => {
    events.length = 0;
    invoked.length = 0;
  });

  it('GIVEN a POST with a JSON body WHEN it reaches the function THEN the event is payload format 2.0', async () => {
    answer = { result: { statusCode: 202, headers: { Location: '/orders/1' }, body: '{"order_id":"1"}' } };

    const response = await fetch(`${api.url}/orders?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Idempotency-Key': 'k1', cookie: 'a=1; b=2' },
      body: '{"user_id":"u"}',
    });

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/orders/1');
    expect(await response.json()).toEqual({ order_id: '1' });
    expect(events[0]).toMatchObject({
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      rawQueryString: 'x=1&x=2',
      queryStringParameters: { x: '1,2' },
      cookies: ['a=1', 'b=2'],
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
      body: '{"user_id":"u"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/orders' }, routeKey: 'POST /orders', stage: '$default' },
    });
  });

  it('GIVEN a path parameter WHEN the route matches THEN pathParameters carry it', async () => {
    answer = { result: { statusCode: 200, body: '{"status":"PLACED"}' } };

    const response = await fetch(`${api.url}/orders/abc-123`);

    expect(response.status).toBe(200);
    expect(events[0]).toMatchObject({ routeKey: 'GET /orders/{order_id}', pathParameters: { order_id: 'abc-123' } });
    expect(events[0]?.body).toBeUndefined();
  });

  it.each([
    ['POST', '/orders', 'orderApi', 'POST /orders', undefined],
    ['POST', '/clicks', 'clickApi', 'POST /clicks', undefined],
    [
      'GET',
      '/analytics/users/u%2F7/recent',
      'analyticsApi',
      'GET /analytics/users/{user_id}/recent',
      { user_id: 'u/7' },
    ],
    ['GET', '/dashboard', 'analyticsApi', 'GET /dashboard', undefined],
  ])(
    'GIVEN routes of several functions WHEN %s %s is requested THEN %s gets it with its route and parameters',
    async (method, path, functionId, routeKey, pathParameters) => {
      answer = { result: { statusCode: 200, body: '{}' } };

      const response = await fetch(`${api.url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });

      expect(response.status).toBe(200);
      expect(invoked).toEqual([functionId]);
      expect(events[0]?.routeKey).toBe(routeKey);
      expect(events[0]?.pathParameters).toEqual(pathParameters);
    },
  );

  it('GIVEN a path of one route with the method of none WHEN requested THEN it answers 404', async () => {
    const response = await fetch(`${api.url}/clicks`);

    expect(response.status).toBe(404);
    expect(invoked).toEqual([]);
  });

  it('GIVEN no matching route WHEN requested THEN it answers 404 without invoking the function', async () => {
    const response = await fetch(`${api.url}/customers`);

    expect(response.status).toBe(404);
    expect(events).toEqual([]);
  });

  it('GIVEN a binary body and a base64 response WHEN exchanged THEN both are base64 on the function side', async () => {
    answer = { result: { statusCode: 200, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true } };

    const response = await fetch(`${api.url}/orders`, { method: 'POST', body: new Uint8Array([0xff, 0xfe]) });

    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
    expect(events[0]).toMatchObject({ body: Buffer.from([0xff, 0xfe]).toString('base64'), isBase64Encoded: true });
  });

  it('GIVEN a function error WHEN invoked THEN the client gets 500 as from API Gateway', async () => {
    answer = { error: { errorType: 'Error', errorMessage: 'boom' } };

    const response = await fetch(`${api.url}/orders/1`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('GIVEN a result without statusCode WHEN returned THEN it is the JSON body of a 200', async () => {
    answer = { result: { hello: 'world' } };

    const response = await fetch(`${api.url}/orders/1`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: 'world' });
  });
});
