import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AccessModel, FunctionIdentity } from './access-model';
import { GatewayFaults, type FaultInjector } from './faults';
import { dynamodbCall, s3Call, sesCall, sqsCall, UnmodelledRequestError, type AwsCall } from './requests';
import type { KafkaEnforcementStats } from './kafka';
import type { NetworkModel } from './routes';

/**
 * The local gateway in front of the AWS stand-ins: every SDK call a function makes goes to it (the
 * function's AWS_ENDPOINT_URL points here), signed with the function's own local access key. It
 * tells the function by that key, the service by the SigV4 signing name, derives the action and
 * resource, and forwards the call only when
 * 1. the function's subnets have a route to the service (routes.ts): otherwise the connection is
 *    dropped at once, as a call with no route never gets an answer in AWS; and
 * 2. IAM allows every (action, resource) the call needs, evaluated by @cloud-copilot/iam-simulate
 *    on the function's role and the resource's policy: otherwise it answers with the service's own
 *    AccessDenied error shape and a message naming the function, the action and the resource.
 * Decisions are cached per (function, action, resource): a policy does not change during a run.
 * A call allowed on both counts may still meet a fault injected on purpose (faults.ts: throttling
 * for a service, operation, resource and window), answered in the service's own error shape.
 */
export interface Upstreams {
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses?: string;
  readonly sqs?: string;
}

export interface FunctionEnforcementStats {
  /** Calls the gateway decided on. */
  evaluated: number;
  /** Calls refused by IAM. */
  denied: number;
  /** Calls dropped for want of a route. */
  unreachable: number;
}

export interface EnforcementStats {
  readonly enabled: boolean;
  /** Building the model from the templates and starting the gateway, milliseconds. */
  readonly startMs?: number;
  readonly perFunction: Record<string, FunctionEnforcementStats>;
  /** The distinct refusals, each once, in the order they first happened. */
  readonly refusals: readonly string[];
  /** What the local broker refused the functions and their mappings (ACLs from the roles' kafka-cluster grants). */
  readonly kafka?: KafkaEnforcementStats;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`: every function's AWS_ENDPOINT_URL. */
  readonly url: string;
  stats(): EnforcementStats;
  /** Refusals recorded since `since` (an index into the refusal log), for one invocation's logs. */
  refusalsSince(since: number): { next: number; lines: string[] };
  /** Faults to answer in place of the stand-ins (a chaos run's throttling), and how many were answered. */
  readonly faults: FaultInjector;
  stop(): Promise<void>;
}

/** The SigV4 signing name -> the endpoint service (com.amazonaws.<region>.<name>) a VPC route must reach. */
const ENDPOINT_SERVICE: Readonly<Record<string, string>> = {
  dynamodb: 'dynamodb',
  s3: 's3',
  // SES v2 API calls sign as "ses"; their VPC endpoint service is "email".
  ses: 'email',
  sqs: 'sqs',
};

const KEY_PREFIX = 'LOCALFN';

/** The local access key id of a function: it names the function, so the gateway knows who calls. */
export function localAccessKeyId(functionId: string): string {
  return `${KEY_PREFIX}${functionId}`;
}

const MAX_REFUSAL_LOG = 10_000;

export async function startGateway(options: {
  readonly model: AccessModel;
  readonly network: NetworkModel;
  readonly upstreams: Upstreams;
  readonly log: (line: string) => void;
}): Promise<Gateway> {
  const { model, network, upstreams, log } = options;
  const perFunction: Record<string, FunctionEnforcementStats> = {};
  for (const id of model.identities.keys()) perFunction[id] = { evaluated: 0, denied: 0, unreachable: 0 };
  const refusalLog: string[] = [];
  const distinct = new Set<string>();
  const refuse = (line: string) => {
    if (refusalLog.length < MAX_REFUSAL_LOG) refusalLog.push(line);
    if (!distinct.has(line)) {
      distinct.add(line);
      log(line);
    }
  };
  const decisions = new Map<string, Promise<Decision>>();
  const decide = (identity: FunctionIdentity, action: string, resource: string) => {
    const key = `${identity.functionId}\u0000${action}\u0000${resource}`;
    let decision = decisions.get(key);
    if (!decision) {
      decision = evaluate(model, identity, action, resource);
      decisions.set(key, decision);
    }
    return decision;
  };
  const faults = new GatewayFaults((name) =>
    name.startsWith('arn:') ? name : (model.tables.get(name) ?? model.buckets.get(name) ?? name),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log(`[aws-gateway] ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((error as Error).message));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(req.headers.authorization ?? ''),
    );
    const functionId = credential?.[1].startsWith(KEY_PREFIX) ? credential[1].slice(KEY_PREFIX.length) : undefined;
    const identity = functionId === undefined ? undefined : model.identities.get(functionId);
    const service = credential?.[3] ?? 'unknown';
    if (!identity) {
      const who = credential ? `access key ${credential[1]}` : 'an unsigned request';
      return sendServiceError(
        res,
        service,
        403,
        'UnrecognizedClientException',
        `The local AWS gateway does not know ${who}: only the functions' own local credentials are accepted`,
        req,
      );
    }
    const stats = perFunction[identity.functionId];
    stats.evaluated += 1;

    const endpointService = ENDPOINT_SERVICE[service] ?? service;
    const route = network.reach(identity.functionId, endpointService);
    if (!route.reachable) {
      stats.unreachable += 1;
      refuse(
        `UNREACHABLE function ${identity.functionId}: ${service} (${req.method} ${url.pathname}) has ${route.missing}. ` +
          'In AWS the connection would time out; locally it is dropped at once.',
      );
      req.socket.destroy();
      return;
    }

    const needsBody = service !== 's3';
    const body = needsBody ? await readBody(req) : undefined;
    let call: AwsCall;
    try {
      call = callOf(service, req, url, body ?? '', model);
    } catch (error) {
      if (!(error instanceof UnmodelledRequestError) && !(error instanceof SyntaxError)) throw error;
      stats.denied += 1;
      const message = `function ${identity.functionId}: the local gateway cannot tell the IAM action of ${error.message}; refused rather than allowed unchecked`;
      refuse(`DENIED ${message}`);
      return sendServiceError(res, service, 403, 'AccessDenied', message, req);
    }
    for (const check of call.checks) {
      const decision = await decide(identity, check.action, check.resource);
      if (decision.allowed) continue;
      stats.denied += 1;
      const message =
        `User: ${identity.sessionArn} is not authorized to perform: ${check.action} on resource: ${check.resource} ` +
        `because ${decision.why} (local function ${identity.functionId}, ${service} ${call.operation})`;
      refuse(`DENIED ${message}`);
      return sendServiceError(res, service, service === 'dynamodb' ? 400 : 403, 'AccessDenied', message, req);
    }
    const fault = faults.answer(identity.functionId, call);
    if (fault) return sendServiceError(res, service, fault.status, fault.code, fault.message, req, fault.fields);

    const upstream = upstreams[service as keyof Upstreams];
    if (!upstream) {
      return sendServiceError(
        res,
        service,
        501,
        'NotImplemented',
        `No local stand-in of ${service}: the call is allowed but cannot be served locally`,
        req,
      );
    }
    forward(req, res, new URL(upstream), body, service);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    upstream: URL,
    body: Buffer | undefined,
    service: string,
  ) {
    const headers = { ...req.headers, host: upstream.host };
    // The gateway has authorized the call; s3rver checks signatures against its one key pair only.
    if (service === 's3') delete headers.authorization;
    const proxied = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on('error', () => {
      req.socket.destroy();
    });
    if (body !== undefined) proxied.end(body);
    else req.pipe(proxied);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // The simulator loads its action data on first use (~0.2 s): do it now, not on a function's first call.
  await runSimulation(
    {
      request: {
        action: 'dynamodb:GetItem',
        resource: { resource: '*', accountId: model.account },
        principal: 'warm-up',
        contextVariables: {},
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  ).catch(() => undefined);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({
      enabled: true,
      perFunction: structuredClone(perFunction),
      refusals: [...distinct],
    }),
    refusalsSince(since) {
      return { next: refusalLog.length, lines: refusalLog.slice(since) };
    },
    faults,
    async stop() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function callOf(service: string, req: IncomingMessage, url: URL, body: Buffer | string, model: AccessModel): AwsCall {
  const text = body.toString();
  const target = req.headers['x-amz-target'];
  switch (service) {
    case 'dynamodb':
      return dynamodbCall(String(target ?? ''), text, model);
    case 's3':
      return s3Call(req.method ?? 'GET', url, model);
    case 'ses':
      return sesCall(req.method ?? 'GET', url, text, model);
    case 'sqs':
      return sqsCall(target === undefined ? undefined : String(target), text, model);
    default:
      throw new UnmodelledRequestError(`a ${service} request (no local model of that service's actions)`);
  }
}

interface Decision {
  readonly allowed: boolean;
  readonly why: string;
}

async function evaluate(
  model: AccessModel,
  identity: FunctionIdentity,
  action: string,
  resource: string,
): Promise<Decision> {
  const policyTarget = resource.startsWith('arn:aws:s3:::') ? resource.split('/')[0] : resource;
  const resourcePolicy = model.resourcePolicies.get(policyTarget);
  const result = await runSimulation(
    {
      request: {
        action,
        resource: {
          resource,
          accountId: resource.startsWith('arn:aws:s3:::') ? model.account : resource.split(':')[4] || model.account,
        },
        principal: identity.sessionArn,
        // The SDK calls AWS over HTTPS; locally the hop to the gateway is plain HTTP on loopback.
        contextVariables: { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: identity.policies.map((p) => ({ name: p.name, policy: p.policy })),
      resourcePolicy: resourcePolicy?.policy,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') {
    return { allowed: false, why: `the local IAM simulation failed: ${JSON.stringify(result.errors).slice(0, 400)}` };
  }
  const overall = 'overallResult' in result ? result.overallResult : undefined;
  if (overall === 'Allowed') return { allowed: true, why: 'allowed' };
  if (overall === 'ExplicitlyDenied') {
    return {
      allowed: false,
      why: `an explicit deny in ${resourcePolicy ? `the resource policy ${resourcePolicy.name} or ` : ''}an identity-based policy`,
    };
  }
  return { allowed: false, why: `no identity-based policy allows the ${action} action` };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** An error in the service's own shape, so that the SDK raises the error AWS would (exported for its test). */
export function sendServiceError(
  res: ServerResponse,
  service: string,
  status: number,
  code: string,
  message: string,
  req: IncomingMessage,
  fields: Readonly<Record<string, unknown>> = {},
) {
  const requestId = `local-${Date.now().toString(36)}`;
  if (service === 's3') {
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
      `<RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
    res.end(req.method === 'HEAD' ? undefined : xml);
    return;
  }
  if (service === 'sqs' && !req.headers['x-amz-target']) {
    const xml =
      `<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(xml);
    return;
  }
  const type = code === 'AccessDenied' ? 'AccessDeniedException' : code;
  if (service === 'dynamodb' || service === 'sqs') {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId });
    res.end(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message, ...fields }));
    return;
  }
  // REST JSON services (SES v2 and others): the error type travels in x-amzn-ErrorType.
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': requestId,
  });
  res.end(JSON.stringify({ message, ...fields }));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
