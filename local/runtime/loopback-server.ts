import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server of the runtime, listening on 127.0.0.1 only. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Closes the server and its open connections. */
  stop(): Promise<void>;
}

/** Starts `server` on 127.0.0.1 (port 0: a free one) and resolves once it listens. */
export async function listenOnLoopback(server: Server, port = 0): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
