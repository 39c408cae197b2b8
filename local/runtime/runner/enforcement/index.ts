import type { LocalEndpoints } from '../../endpoints';
import type { Assembly } from '../assembly';
import { LOCAL_ACCOUNT } from '../environment';
import { buildAccessModel, type AccessModel } from './access-model';
import { startGateway, type Gateway } from './gateway';
import { startKafkaEnforcement, type KafkaEnforcement } from './kafka';
import { NetworkModel } from './routes';

/**
 * The cloud's rules in the local runtime, read from the synthesized templates only:
 *
 *   template-values.ts   deploy-time values (Ref, Fn::GetAtt, Fn::Join, Fn::ImportValue...) as strings
 *   access-model.ts      each function's role and identity policies, resource policies, local names
 *   routes.ts            which AWS services each function's subnets can reach
 *   requests.ts          the IAM action and resource ARN of an AWS API request
 *   gateway.ts           the HTTP gateway every function's SDK calls pass, that enforces both
 *   kafka-acls.ts        the Kafka ACLs of each role's kafka-cluster:* grants
 *   kafka.ts             installs them on the local broker and reads what it denied
 *   faults.ts            throttling the gateway answers on purpose, by service, operation, resource and window
 */
/** What `--no-enforce` prints: the run no longer says what AWS would refuse. */
export const NO_ENFORCE_WARNING =
  '\n*** ENFORCEMENT OFF (--no-enforce): IAM roles, resource policies and routes are NOT checked. ***\n' +
  '*** Calls AWS would refuse succeed here. Use it for debugging only.                          ***\n';

export interface Enforcement {
  readonly model: AccessModel;
  readonly network: NetworkModel;
  readonly gateway: Gateway;
  /** ACLs on the local broker's MSK IAM listener; absent for a broker not started here. */
  readonly kafka?: KafkaEnforcement;
  readonly startMs: number;
}

export async function startEnforcement(
  assembly: Assembly,
  endpoints: LocalEndpoints,
  log: (line: string) => void,
): Promise<Enforcement> {
  const started = performance.now();
  const { model, values } = buildAccessModel(assembly, endpoints, LOCAL_ACCOUNT);
  const network = new NetworkModel(assembly, values);
  const gateway = await startGateway({
    model,
    network,
    upstreams: { dynamodb: endpoints.dynamodbEndpoint, s3: endpoints.s3Endpoint, ses: endpoints.sesEndpoint },
    log,
  });
  let kafka: KafkaEnforcement | undefined;
  try {
    kafka = await startKafkaEnforcement({ assembly, model, values, endpoints, log });
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  const startMs = performance.now() - started;
  log(
    `Enforcement on: ${model.identities.size} function roles and their routes checked on every AWS call ` +
      `(gateway ${gateway.url}, ready in ${startMs.toFixed(0)} ms)`,
  );
  return { model, network, gateway, kafka, startMs };
}

export { localAccessKeyId, type EnforcementStats, type FunctionEnforcementStats } from './gateway';
export type { KafkaEnforcementStats } from './kafka';
export type { FaultInjector, FaultRule } from './faults';
