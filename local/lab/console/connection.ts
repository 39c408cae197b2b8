import type { BaseOptions } from '@platformatic/kafka';
import { mskIamAuth } from '../../../lambdas/shared/kafka/msk-iam';
import type { ClusterOptions } from './args';
import { readEndpointsFile } from './endpoints';

/** How the console tools reach a cluster: the options every @platformatic/kafka client takes. */
export interface Cluster {
  /** For messages: which cluster the tool talks to. */
  readonly description: string;
  readonly clientOptions: (clientId: string) => BaseOptions;
}

export function resolveCluster(options: ClusterOptions, readEndpoints = readEndpointsFile): Cluster {
  const bootstrapBrokers = options.bootstrap ? [...options.bootstrap] : [readEndpoints().kafkaBootstrap];
  const { iam, region } = options;
  return {
    description: `${bootstrapBrokers.join(',')}${iam ? ` (IAM, ${region})` : ''}`,
    clientOptions: (clientId) => ({
      clientId,
      bootstrapBrokers,
      connectTimeout: 10_000,
      retries: 3,
      // MSK's IAM listener, as the functions authenticate; a local run never loads the signer.
      ...(iam ? mskIamAuth(region!) : {}),
    }),
  };
}
