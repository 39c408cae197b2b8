/**
 * Where the VPC's subnets, and so the MSK brokers, go: three AZs by AZ ID. IDs, not names: an
 * account's AZ names map to IDs per account, and MSK refuses some IDs by ID ("Client subnets can't
 * occupy the Availability Zone with ID use1-az3", MSK API BrokerNodeGroupInfo).
 *
 * `-c availabilityZoneIds=id1,id2,id3` chooses them; otherwise the default of the region the CLI
 * deploys to (`-c region=...` or the CLI's CDK_DEFAULT_REGION). A synth that knows no region keeps
 * the template region-agnostic: CloudFormation picks the region's row of this table at deploy time.
 */
export const MSK_BROKER_NODES = 3;

/** A starting point per region; MSK does not offer every broker type in every AZ, so check yours. */
export const DEFAULT_AVAILABILITY_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4'],
  'us-east-2': ['use2-az1', 'use2-az2', 'use2-az3'],
  'us-west-2': ['usw2-az1', 'usw2-az2', 'usw2-az3'],
  'ca-central-1': ['cac1-az1', 'cac1-az2', 'cac1-az4'],
  'eu-west-1': ['euw1-az1', 'euw1-az2', 'euw1-az3'],
  'eu-west-2': ['euw2-az1', 'euw2-az2', 'euw2-az3'],
  'eu-west-3': ['euw3-az1', 'euw3-az2', 'euw3-az3'],
  'eu-central-1': ['euc1-az1', 'euc1-az2', 'euc1-az3'],
  'eu-north-1': ['eun1-az1', 'eun1-az2', 'eun1-az3'],
  'ap-south-1': ['aps1-az1', 'aps1-az2', 'aps1-az3'],
  'ap-southeast-1': ['apse1-az1', 'apse1-az2', 'apse1-az3'],
  'ap-southeast-2': ['apse2-az1', 'apse2-az2', 'apse2-az3'],
  'ap-northeast-1': ['apne1-az1', 'apne1-az2', 'apne1-az4'],
  'ap-northeast-2': ['apne2-az1', 'apne2-az2', 'apne2-az3'],
  'sa-east-1': ['sae1-az1', 'sae1-az2', 'sae1-az3'],
};

/** AZ IDs that MSK documents it refuses for client subnets. */
const MSK_EXCLUDED_AZ_IDS: readonly string[] = ['use1-az3'];

/**
 * The AZ IDs of a stage: explicit, or the region's default, or undefined (no region known at
 * synth: chosen at deploy time from DEFAULT_AVAILABILITY_ZONE_IDS). Throws with the setting to
 * change when they cannot hold the brokers.
 */
export function resolveAvailabilityZoneIds(context: {
  readonly region?: unknown;
  readonly availabilityZoneIds?: unknown;
}): readonly string[] | undefined {
  let ids: readonly string[];
  if (context.availabilityZoneIds !== undefined) {
    const raw = context.availabilityZoneIds;
    ids = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((id) => id.trim()).filter(Boolean);
  } else if (context.region !== undefined && context.region !== '') {
    const region = String(context.region);
    const defaults = DEFAULT_AVAILABILITY_ZONE_IDS[region];
    if (!defaults) {
      throw new Error(
        `No default availability zones for region ${region}: pass -c availabilityZoneIds=<id>,<id>,<id> with three AZ IDs where MSK offers the broker type (aws ec2 describe-availability-zones --region ${region})`,
      );
    }
    ids = defaults;
  } else {
    return undefined;
  }
  checkAvailabilityZoneIds(ids);
  return ids;
}

export function checkAvailabilityZoneIds(ids: readonly string[]): void {
  const problems: string[] = [];
  // MSK places brokers evenly over the subnets' AZs: the broker count must be a multiple of theirs.
  if (ids.length !== MSK_BROKER_NODES) {
    problems.push(
      `${MSK_BROKER_NODES} AZ IDs are needed, one per broker, so that replication factor 3 survives the loss of an AZ (got ${ids.length}: ${ids.join(', ') || 'none'})`,
    );
  }
  if (new Set(ids).size !== ids.length) problems.push(`the AZ IDs must differ (got ${ids.join(', ')})`);
  const malformed = ids.filter((id) => !/^[a-z]+\d+-az\d+$/.test(id));
  if (malformed.length > 0) problems.push(`${malformed.join(', ')} is not an AZ ID such as use1-az1`);
  const excluded = ids.filter((id) => MSK_EXCLUDED_AZ_IDS.includes(id));
  if (excluded.length > 0) problems.push(`MSK refuses client subnets in ${excluded.join(', ')}`);
  if (problems.length > 0) throw new Error(`Invalid availabilityZoneIds: ${problems.join('; ')}`);
}
