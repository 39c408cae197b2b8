import type { CfnResource, StackTemplate } from '../cloudformation';
import { describeValue } from '../cloudformation';

/**
 * Deploy-time values of a synthesized assembly as strings, in one made-up but consistent world: the
 * assembly's account and region (the local ones for environment-agnostic stacks), and a physical
 * name for every resource that has none in its template. A policy's `Fn::GetAtt [Table, Arn]` and
 * the ARN the gateway derives for a request on that table's local stand-in are computed by the same
 * code, so they match exactly when (and only when) they name the same resource.
 */
export class TemplateValues {
  constructor(
    readonly stacks: readonly StackTemplate[],
    readonly account: string,
    readonly region: string,
  ) {}

  /** Resolves a template value (literal or intrinsic) to a string; throws on what it cannot model. */
  str(value: unknown, stack: StackTemplate): string {
    const resolved = this.resolve(value, stack);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new TemplateValueError(`${describeValue(value)} (stack ${stack.stackName}) is not a string`);
  }

  /** Resolves intrinsics anywhere inside `value` (policy documents, lists). */
  deep(value: unknown, stack: StackTemplate): unknown {
    if (Array.isArray(value)) return value.map((v) => this.deep(v, stack));
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return this.resolve(value, stack);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v, stack)]));
    }
    return value;
  }

  resolve(value: unknown, stack: StackTemplate): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack));
    const obj = value as Record<string, unknown>;
    if ('Ref' in obj) return this.ref(String(obj.Ref), stack);
    if ('Fn::GetAtt' in obj) {
      const args = obj['Fn::GetAtt'];
      const [logicalId, attribute] = Array.isArray(args) ? args : String(args).split('.');
      return this.getAtt(String(logicalId), String(attribute), stack);
    }
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      const list = this.resolve(parts, stack) as unknown[];
      return list.map((p) => this.resolve(p, stack)).join(sep);
    }
    if ('Fn::Select' in obj) {
      const [index, list] = obj['Fn::Select'] as [unknown, unknown];
      const items = this.resolve(list, stack) as unknown[];
      return items[Number(this.resolve(index, stack))];
    }
    if ('Fn::Split' in obj) {
      const [sep, text] = obj['Fn::Split'] as [string, unknown];
      return this.str(text, stack).split(sep);
    }
    if ('Fn::ImportValue' in obj) return this.importValue(this.str(obj['Fn::ImportValue'], stack));
    if ('Fn::Sub' in obj) {
      const arg = obj['Fn::Sub'];
      const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (name in vars) return this.str(vars[name], stack);
        const [id, attr] = name.split('.');
        return attr ? String(this.getAtt(id, attr, stack)) : String(this.ref(id, stack));
      });
    }
    if ('Fn::FindInMap' in obj) {
      const [map, top, second] = (obj['Fn::FindInMap'] as unknown[]).map((v) => this.str(v, stack));
      const mappings = (stack.template as { Mappings?: Record<string, Record<string, Record<string, unknown>>> })
        .Mappings;
      return mappings?.[map]?.[top]?.[second];
    }
    if ('Fn::GetAZs' in obj) return ['a', 'b', 'c'].map((s) => `${this.region}${s}`);
    const key = Object.keys(obj)[0];
    if (Object.keys(obj).length === 1 && key.startsWith('Fn::')) {
      throw new TemplateValueError(`${key} is not modelled locally: ${describeValue(value)}`);
    }
    return obj;
  }

  /** A resource of the assembly by logical id in `stack`. */
  resource(logicalId: string, stack: StackTemplate): CfnResource | undefined {
    return stack.template.Resources?.[logicalId];
  }

  ref(logicalId: string, stack: StackTemplate): unknown {
    switch (logicalId) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.account;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::NoValue':
        return undefined;
    }
    const resource = this.resource(logicalId, stack);
    if (!resource) {
      const parameters = (stack.template as { Parameters?: Record<string, { Default?: unknown }> }).Parameters;
      if (parameters?.[logicalId]) return parameters[logicalId].Default;
      throw new TemplateValueError(`Ref ${logicalId}: no such resource in stack ${stack.stackName}`);
    }
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::S3::Bucket':
      case 'AWS::IAM::Role':
      case 'AWS::SES::ConfigurationSet':
        return this.name(logicalId, stack);
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${this.account}:policy/${this.name(logicalId, stack)}`;
      case 'AWS::SES::EmailIdentity':
        return this.str(props.EmailIdentity, stack);
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${this.account}/${this.name(logicalId, stack)}`;
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
        return this.arn(logicalId, stack);
      default:
        return `${stack.stackName}-${logicalId}`;
    }
  }

  getAtt(logicalId: string, attribute: string, stack: StackTemplate): unknown {
    const resource = this.resource(logicalId, stack);
    if (!resource) throw new TemplateValueError(`Fn::GetAtt ${logicalId}: no such resource in ${stack.stackName}`);
    if (attribute === 'Arn') return this.arn(logicalId, stack);
    if (resource.Type === 'AWS::DynamoDB::Table' && attribute === 'StreamArn') {
      return `${this.arn(logicalId, stack)}/stream/local`;
    }
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return this.name(logicalId, stack);
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueUrl') return this.ref(logicalId, stack);
    return `${stack.stackName}-${logicalId}.${attribute}`;
  }

  /** The ARN of a resource, as AWS would form it for its type. */
  arn(logicalId: string, stack: StackTemplate): string {
    const resource = this.resource(logicalId, stack)!;
    const name = this.name(logicalId, stack);
    const { region, account } = this;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${account}:policy/${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${account}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${account}:function:${name}`;
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
        return `arn:aws:kafka:${region}:${account}:cluster/${name}/00000000-0000-0000-0000-000000000000-1`;
      default:
        return `arn:aws:local:${region}:${account}:${stack.stackName}/${logicalId}`;
    }
  }

  /** The physical name: the template's own name property when it has one, else stack-logicalId. */
  name(logicalId: string, stack: StackTemplate): string {
    const resource = this.resource(logicalId, stack)!;
    const props = resource.Properties ?? {};
    const nameProperty: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::SES::ConfigurationSet': 'Name',
      'AWS::MSK::Cluster': 'ClusterName',
      'AWS::MSK::ServerlessCluster': 'ClusterName',
    };
    const property = nameProperty[resource.Type];
    if (property && props[property] !== undefined) return this.str(props[property], stack);
    const made = `${stack.stackName}-${logicalId}`;
    return resource.Type === 'AWS::S3::Bucket' ? made.toLowerCase() : made;
  }

  /** The value of another stack's export, resolved in that stack. */
  importValue(exportName: string): unknown {
    for (const other of this.stacks) {
      for (const output of Object.values(other.template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return this.resolve(output.Value, other);
      }
    }
    throw new TemplateValueError(`Fn::ImportValue ${exportName}: no stack exports it`);
  }
}

export class TemplateValueError extends Error {
  override readonly name = 'TemplateValueError';
}
