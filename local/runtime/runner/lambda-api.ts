import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../loopback-server';
import type { KafkaMappingSpec, StreamMappingSpec } from './assembly';
import { NO_RECORDS_PROCESSED, type MappingStats } from './kafka-poller';

/**
 * The part of the Lambda API that reports on event source mappings, served by a running local
 * runner on 127.0.0.1, so that `npm run smoke -- --local` reads them with the same LambdaClient
 * calls as in AWS: ListEventSourceMappings (`GET /2015-03-31/event-source-mappings/`) and
 * GetEventSourceMapping (`GET /2015-03-31/event-source-mappings/{UUID}`), answering the fields the
 * smoke test reads: UUID, FunctionArn, EventSourceArn, Topics, State, LastProcessingResult.
 * UUIDs are the mappings' logical ids; nothing can be created or changed through it.
 */
export interface LocalMappingView {
  readonly UUID: string;
  readonly FunctionArn: string;
  readonly EventSourceArn?: string;
  readonly Topics?: string[];
  readonly State: string;
  readonly LastProcessingResult: string;
}

/** The Lambda API's view of one of the runner's mappings. */
export function lambdaMappingView(stats: MappingStats, functionArn: string): LocalMappingView {
  return {
    UUID: stats.id,
    FunctionArn: functionArn,
    ...(stats.kind === 'kafka' ? { Topics: [stats.topic] } : { EventSourceArn: stats.topic }),
    State: stats.state,
    LastProcessingResult: stats.lastProcessingResult,
  };
}

/**
 * A mapping the template declares disabled: Lambda lists it too, with State "Disabled" (one of
 * "Creating, Enabling, Enabled, Disabling, Disabled, Updating, or Deleting",
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html). The runner does
 * not poll it, so nothing was processed; leaving it out would hide from the smoke test a mapping
 * that processes nothing.
 */
export function disabledMappingView(
  mapping: KafkaMappingSpec | StreamMappingSpec,
  functionArn: string,
): LocalMappingView {
  return {
    UUID: mapping.id,
    FunctionArn: functionArn,
    ...(mapping.kind === 'kafka'
      ? { Topics: [mapping.topic] }
      : { EventSourceArn: `dynamodb-stream:${mapping.tableName}` }),
    State: 'Disabled',
    LastProcessingResult: NO_RECORDS_PROCESSED,
  };
}

export interface LocalLambdaApi {
  /** `http://127.0.0.1:<port>`: the endpoint to give a LambdaClient. */
  readonly url: string;
  stop(): Promise<void>;
}

const PREFIX = '/2015-03-31/event-source-mappings';

export async function startLocalLambdaApi(options: {
  readonly mappings: () => readonly LocalMappingView[];
  readonly port?: number;
}): Promise<LocalLambdaApi> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' || !url.pathname.startsWith(PREFIX)) {
      return reply(404, { Type: 'User', message: `Not served locally: ${request.method} ${url.pathname}` });
    }
    const uuid = decodeURIComponent(url.pathname.slice(PREFIX.length).replace(/^\/|\/$/g, ''));
    const all = options.mappings();
    if (uuid !== '') {
      const found = all.find((m) => m.UUID === uuid);
      return found
        ? reply(200, found)
        : reply(404, { Type: 'User', message: `The resource you requested does not exist. (UUID ${uuid})` });
    }
    const name = url.searchParams.get('FunctionName');
    const selected = name
      ? all.filter((m) => m.FunctionArn === name || m.FunctionArn.endsWith(`:function:${name}`))
      : all;
    return reply(200, { EventSourceMappings: selected });
  });
  return listenOnLoopback(server, options.port);
}
