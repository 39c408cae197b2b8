/**
 * Where the VPC's subnets, and so the MSK brokers, go: three AZs by AZ ID. IDs, not names: an
 * account's AZ names map to IDs per account, and MSK refuses some IDs by ID ("Client subnets can't
 * occupy the Availability Zone with ID use1-az3", MSK API BrokerNodeGroupInfo).
 *
 * A stage's settings (lib/stages/<stage>.ts) choose them, or take the default row of the stage's
 * region below. Every stage names its region, so the IDs are always literals of that region.
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

/** The region's default AZ IDs, or undefined for a region this table does not know. */
export function defaultAvailabilityZoneIds(region: string): readonly string[] | undefined {
  return Object.hasOwn(DEFAULT_AVAILABILITY_ZONE_IDS, region) ? DEFAULT_AVAILABILITY_ZONE_IDS[region] : undefined;
}

/** `-c availabilityZoneIds=a,b,c` or a list, as AZ IDs. */
export function parseAvailabilityZoneIds(raw: unknown): readonly string[] {
  return (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((id) => id.trim()).filter(Boolean);
}

/**
 * Why `ids` cannot hold the brokers in `region` (empty when they can). IDs of another region would
 * make CloudFormation fail on the first subnet, so they are refused at synth.
 */
export function availabilityZoneIdProblems(ids: readonly string[], region?: string): string[] {
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
  const regionCode = region === undefined ? undefined : defaultAvailabilityZoneIds(region)?.[0]?.replace(/-az\d+$/, '');
  const foreign = regionCode === undefined ? [] : ids.filter((id) => !id.startsWith(`${regionCode}-`));
  if (foreign.length > 0)
    problems.push(`${foreign.join(', ')} is not in ${region} (its AZ IDs start with ${regionCode}-)`);
  return problems;
}

export function checkAvailabilityZoneIds(ids: readonly string[], region?: string): void {
  const problems = availabilityZoneIdProblems(ids, region);
  if (problems.length > 0) throw new Error(`Invalid availabilityZoneIds: ${problems.join('; ')}`);
}
