// @ts-check
'use strict';
/**
 * The runtime of a local Lambda execution environment: one Node process per environment, started
 * by function-host.ts with the function's environment. Like the Lambda Node.js runtime, it loads the
 * handler module once (the init phase), then runs one invocation at a time, reusing the module and
 * everything it created at module level (clients, connections) across invocations.
 *
 * Plain JavaScript run by Node directly, not through a TypeScript loader, so that the bundle loads
 * exactly as it does in Lambda.
 *
 * Protocol with the host (IPC messages):
 *   host -> runtime  { type: 'invoke', requestId, event, deadlineMs, functionName, memorySizeMb, invokedFunctionArn }
 *   runtime -> host  { type: 'ready', initDurationMs } | { type: 'init-error', errorType, errorMessage }
 *                    { type: 'result', requestId, payload, durationMs, maxRssMb } (payload: JSON text)
 *                    { type: 'error', requestId, errorType, errorMessage, durationMs, maxRssMb }
 * After each invocation the runtime writes END_MARK + requestId on stdout and stderr, so that the
 * host knows every line the invocation logged has arrived.
 */
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const END_MARK = '\u0000lambda-local-end:';
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/** @param {unknown} error */
function describeError(error) {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, stack: (error.stack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: String(error), stack: [] };
}

/** @param {string} requestId @param {string} level @param {string} message */
function runtimeLog(requestId, level, message) {
  process.stderr.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${message}\n`);
}

async function loadHandler() {
  const taskRoot = /** @type {string} */ (process.env.LAMBDA_TASK_ROOT);
  const handlerName = /** @type {string} */ (process.env._HANDLER);
  const dot = handlerName.lastIndexOf('.');
  const file = join(taskRoot, handlerName.slice(0, dot));
  const exportName = handlerName.slice(dot + 1);
  /** @type {Record<string, unknown>} */
  let module;
  try {
    module = require(file);
  } catch (error) {
    const code = /** @type {{ code?: string }} */ (error).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'MODULE_NOT_FOUND') throw error;
    // An ES module bundle (index.mjs): import it as the Lambda runtime does.
    module = await import(pathToFileURL(`${file}.mjs`).href);
  }
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${handlerName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return /** @type {(event: unknown, context: object, callback?: Function) => unknown} */ (handler);
}

/**
 * @param {(event: unknown, context: object, callback?: Function) => unknown} handler
 * @param {unknown} event
 * @param {object} context
 */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    /** @param {unknown} error @param {unknown} result */
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(event, context, callback);
      // An async handler settles through its promise; a callback-style one (three parameters) through the callback.
      if (returned && typeof (/** @type {Promise<unknown>} */ (returned).then) === 'function') {
        /** @type {Promise<unknown>} */ (returned).then(resolve, reject);
      } else if (handler.length < 3) {
        resolve(returned);
      }
    } catch (error) {
      reject(error);
    }
  });
}

/** @param {string} requestId */
function markEnd(requestId) {
  process.stdout.write(`${END_MARK}${requestId}\n`);
  process.stderr.write(`${END_MARK}${requestId}\n`);
}

/** @param {object} message */
function send(message) {
  if (process.send) process.send(message);
}

async function main() {
  const initStart = performance.now();
  /** @type {Awaited<ReturnType<typeof loadHandler>>} */
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const { errorType, errorMessage, stack } = describeError(error);
    runtimeLog('undefined', 'ERROR', `Uncaught Exception \t${JSON.stringify({ errorType, errorMessage, stack })}`);
    send({ type: 'init-error', errorType, errorMessage });
    return;
  }
  send({ type: 'ready', initDurationMs: performance.now() - initStart });

  process.on('message', async (/** @type {any} */ message) => {
    if (message?.type !== 'invoke') return;
    const { requestId, event, deadlineMs, functionName, memorySizeMb, invokedFunctionArn } = message;
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn,
      memoryLimitInMB: String(memorySizeMb),
      awsRequestId: requestId,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const start = performance.now();
    const finish = () => ({
      durationMs: performance.now() - start,
      maxRssMb: Math.round(process.memoryUsage().rss / (1024 * 1024)),
    });
    try {
      const result = await callHandler(handler, event, context);
      const payload = JSON.stringify(result === undefined ? null : result);
      if (Buffer.byteLength(payload) > MAX_RESPONSE_BYTES) {
        throw Object.assign(
          new Error(`Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`),
          {
            name: 'Function.ResponseSizeTooLarge',
          },
        );
      }
      markEnd(requestId);
      send({ type: 'result', requestId, payload, ...finish() });
    } catch (error) {
      const { errorType, errorMessage, stack } = describeError(error);
      runtimeLog(requestId, 'ERROR', `Invoke Error \t${JSON.stringify({ errorType, errorMessage, stack })}`);
      markEnd(requestId);
      send({ type: 'error', requestId, errorType, errorMessage, ...finish() });
    }
  });
}

// The host is gone (it exited or was killed): an environment never outlives its runner.
process.on('disconnect', () => process.exit(0));
// As in Lambda, an unhandled rejection crashes the environment; the host reports Runtime.ExitError.
process.on('unhandledRejection', (reason) => {
  const { errorType, errorMessage, stack } = describeError(reason);
  runtimeLog(
    'undefined',
    'ERROR',
    `Unhandled Promise Rejection \t${JSON.stringify({ errorType, errorMessage, stack })}`,
  );
  process.exit(128);
});

void main();
