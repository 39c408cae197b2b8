import type { BaseOptions } from '@platformatic/kafka';
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
      // MSK's IAM listener: TLS, and a SigV4-signed token from the caller's AWS credentials,
      // as the functions authenticate (lambdas/shared/kafka/kafka-publisher.ts).
      ...(iam
        ? {
            tls: {},
            sasl: {
              mechanism: 'OAUTHBEARER' as const,
              // Loaded on first use: a local run never needs the AWS SDK behind the signer.
              token: async () => {
                const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
                return (await generateAuthToken({ region: region! })).token;
              },
            },
          }
        : {}),
    }),
  };
}
