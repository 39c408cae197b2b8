import type { AccessModel } from './access-model';

/**
 * What an AWS API request asks for, in IAM's terms: one or more (action, resource ARN) pairs, each
 * of which IAM authorizes separately. Derived from the request only, as the service would:
 * - DynamoDB (JSON 1.0 protocol): the operation in X-Amz-Target, the table (and index) in the body.
 *   Transactions: "Permissions for Put, Update, Delete, and Get actions are governed by the
 *   permissions used for the underlying PutItem, UpdateItem, DeleteItem, and GetItem operations. For
 *   the ConditionCheck action, you can use the dynamodb:ConditionCheckItem permission"
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 * - S3 (REST, path style): method and path; object operations on arn:aws:s3:::bucket/key, bucket
 *   operations on arn:aws:s3:::bucket. PutObject into a bucket whose default encryption is SSE-KMS
 *   also needs kms:GenerateDataKey on its key, checked against the key policy too.
 * - SES v2 (REST JSON): POST /v2/email/outbound-emails is ses:SendEmail on the sending identity and
 *   on the configuration set it names.
 * - SQS (JSON protocol or query protocol): the action named in X-Amz-Target or Action=, on the queue
 *   of QueueUrl.
 */
export interface AwsCall {
  /** The SigV4 signing name: dynamodb, s3, ses, sqs, ... */
  readonly service: string;
  /** What the error message calls the request, e.g. `TransactWriteItems`. */
  readonly operation: string;
  readonly checks: readonly { readonly action: string; readonly resource: string }[];
  /** Requests whose body the gateway had to read (JSON protocols) carry it, to forward as read. */
}

export class UnmodelledRequestError extends Error {
  override readonly name = 'UnmodelledRequestError';
}

export function dynamodbCall(target: string, body: string, model: AccessModel): AwsCall {
  const operation = target.split('.').pop() ?? target;
  const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
  const table = (name: unknown) => tableArn(String(name), model);
  const checks: { action: string; resource: string }[] = [];
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      for (const name of Object.keys((input.RequestItems ?? {}) as object)) {
        checks.push({ action: `dynamodb:${operation}`, resource: table(name) });
      }
      break;
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const kinds: Record<string, string> = {
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        ConditionCheck: 'ConditionCheckItem',
        Get: 'GetItem',
      };
      for (const item of (input.TransactItems ?? []) as Record<string, { TableName?: unknown }>[]) {
        for (const [kind, spec] of Object.entries(item)) {
          checks.push({ action: `dynamodb:${kinds[kind] ?? kind}`, resource: table(spec.TableName) });
        }
      }
      break;
    }
    case 'Query':
    case 'Scan': {
      const base = table(input.TableName);
      checks.push({
        action: `dynamodb:${operation}`,
        resource: typeof input.IndexName === 'string' ? `${base}/index/${input.IndexName}` : base,
      });
      break;
    }
    case 'ListTables':
      checks.push({ action: 'dynamodb:ListTables', resource: '*' });
      break;
    default:
      if (input.TableName === undefined) throw new UnmodelledRequestError(`DynamoDB ${operation} without TableName`);
      checks.push({ action: `dynamodb:${operation}`, resource: table(input.TableName) });
  }
  return { service: 'dynamodb', operation, checks };
}

function tableArn(name: string, model: AccessModel): string {
  if (name.startsWith('arn:')) return name;
  return model.tables.get(name) ?? `arn:aws:dynamodb:${model.region}:${model.account}:table/${name}`;
}

export function s3Call(method: string, url: URL, model: AccessModel): AwsCall {
  const [, bucketName = '', ...keyParts] = url.pathname.split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const bucket = model.buckets.get(bucketName) ?? `arn:aws:s3:::${bucketName}`;
  const q = url.searchParams;
  const object = `${bucket}/${key}`;
  let action: string;
  let resource = key ? object : bucket;
  if (!bucketName) {
    action = 's3:ListAllMyBuckets';
    resource = '*';
  } else if (key) {
    if (method === 'GET' || method === 'HEAD') action = 's3:GetObject';
    else if (method === 'DELETE') action = q.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject';
    else action = 's3:PutObject';
  } else if (method === 'POST' && q.has('delete')) {
    action = 's3:DeleteObject';
    resource = `${bucket}/*`;
  } else if (method === 'GET' || method === 'HEAD') {
    action = q.has('uploads') ? 's3:ListBucketMultipartUploads' : 's3:ListBucket';
  } else if (method === 'PUT') {
    action = 's3:CreateBucket';
  } else if (method === 'DELETE') {
    action = 's3:DeleteBucket';
  } else {
    throw new UnmodelledRequestError(`S3 ${method} ${url.pathname}${url.search}`);
  }
  const checks = [{ action, resource }];
  const keyArn = model.bucketKeys.get(bucket);
  if (action === 's3:PutObject' && keyArn) checks.push({ action: 'kms:GenerateDataKey', resource: keyArn });
  return { service: 's3', operation: action.slice(3), checks };
}

export function sesCall(method: string, url: URL, body: string, model: AccessModel): AwsCall {
  if (method === 'POST' && url.pathname === '/v2/email/outbound-emails') {
    const input = (body ? JSON.parse(body) : {}) as {
      FromEmailAddress?: string;
      FromEmailAddressIdentityArn?: string;
      ConfigurationSetName?: string;
    };
    const from = input.FromEmailAddress?.replace(/^.*<([^>]+)>.*$/, '$1') ?? '';
    const identity = input.FromEmailAddressIdentityArn ?? identityArn(from, model);
    const checks = [{ action: 'ses:SendEmail', resource: identity }];
    if (input.ConfigurationSetName) {
      checks.push({
        action: 'ses:SendEmail',
        resource: `arn:aws:ses:${model.region}:${model.account}:configuration-set/${input.ConfigurationSetName}`,
      });
    }
    return { service: 'ses', operation: 'SendEmail', checks };
  }
  throw new UnmodelledRequestError(`SES ${method} ${url.pathname}`);
}

/** The identity a From address sends as: the address itself if it is an identity, else its domain. */
function identityArn(from: string, model: AccessModel): string {
  const domain = from.split('@').pop() ?? from;
  const identity = model.sesIdentities.includes(from) ? from : domain;
  return `arn:aws:ses:${model.region}:${model.account}:identity/${identity}`;
}

export function sqsCall(target: string | undefined, body: string, model: AccessModel): AwsCall {
  let operation: string;
  let queueUrl: string | undefined;
  if (target) {
    operation = target.split('.').pop() ?? target;
    queueUrl = (JSON.parse(body || '{}') as { QueueUrl?: string }).QueueUrl;
  } else {
    const form = new URLSearchParams(body);
    operation = form.get('Action') ?? 'Unknown';
    queueUrl = form.get('QueueUrl') ?? undefined;
  }
  const name = queueUrl?.split('/').pop();
  const resource = name ? `arn:aws:sqs:${model.region}:${model.account}:${name}` : '*';
  return { service: 'sqs', operation, checks: [{ action: `sqs:${operation}`, resource }] };
}
