import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stand-in order API on 127.0.0.1: accepts one order, then reports it PENDING `pendingPolls` times, then SHIPPED. */
export async function startOrderApiStub({ pendingPolls = 1 } = {}): Promise<{
  url: string;
  requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  stop(): Promise<void>;
}> {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let polls = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      response.setHeader('content-type', 'application/json');
      if (request.method === 'POST' && request.url === '/orders') {
        response.writeHead(202).end(JSON.stringify({ order_id: 'o-1' }));
      } else if (request.method === 'GET' && request.url === '/orders/o-1') {
        polls += 1;
        const terminal = polls > pendingPolls;
        response
          .writeHead(200)
          .end(JSON.stringify({ order_id: 'o-1', status: terminal ? 'SHIPPED' : 'PENDING', terminal }));
      } else {
        response.writeHead(404).end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
