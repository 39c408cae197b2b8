import { LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalEndpointsFile } from '../console/endpoints';
import { LOCAL_CREDENTIALS } from '../../runtime/endpoints';
import { listMappings, signedRequester } from './aws-target';
import type { SmokeTarget } from './smoke';

/**
 * A running `npm run local`, checked as a deployed stage is: the order API it serves (signed as in
 * AWS, with the local credentials) and its mappings through the Lambda API the runner serves
 * (local/runtime/runner/lambda-api.ts), read with the same LambdaClient calls.
 */
export function localSmokeTarget(endpoints: LocalEndpointsFile): { target: SmokeTarget; stop(): Promise<void> } {
  if (!endpoints.lambdaApi) {
    throw new Error(
      `The npm run local started at ${endpoints.startedAt} does not serve the mappings' Lambda API: restart it with this version`,
    );
  }
  const lambda = new LambdaClient({
    endpoint: endpoints.lambdaApi,
    region: endpoints.region,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
  });
  return {
    target: {
      label: `local (${endpoints.orderApi})`,
      request: signedRequester(endpoints.orderApi, endpoints.region, LOCAL_CREDENTIALS),
      mappings: () => listMappings(lambda),
    },
    stop: async () => lambda.destroy(),
  };
}
