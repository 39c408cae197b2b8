/**
 * Just enough of CloudFormation to read a synthesized cloud assembly: the template shape, and where
 * a reference (Ref, Fn::GetAtt, Fn::ImportValue of a CDK cross-stack export) points.
 */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface StackTemplate {
  readonly stackName: string;
  /** Absolute path of the template file. */
  readonly templateFile: string;
  /** The assembly directory the template belongs to (asset paths are relative to it). */
  readonly assemblyDir: string;
  readonly template: CfnTemplate;
}

/** A resource (and optionally one of its attributes) that a reference resolves to. */
export interface ResourceRef {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: CfnResource;
  /** The attribute of Fn::GetAtt; undefined for a Ref. */
  readonly attribute?: string;
}

const INTRINSICS = /^(Ref|Fn::[A-Za-z]+)$/;

/** True for a value CloudFormation computes at deploy time (an intrinsic function), false for a literal. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && INTRINSICS.test(keys[0]);
}

/**
 * Follows a Ref, a Fn::GetAtt, or a Fn::ImportValue of another stack's export to the resource it
 * names. Returns undefined for anything else (a literal, Fn::Join, Fn::Sub, a pseudo parameter):
 * the caller decides whether that is an error.
 */
export function resolveResource(
  value: unknown,
  stack: StackTemplate,
  stacks: readonly StackTemplate[],
): ResourceRef | undefined {
  if (!isIntrinsic(value)) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') {
    const resource = stack.template.Resources?.[value.Ref];
    return resource ? { stack, logicalId: value.Ref, resource } : undefined;
  }
  if ('Fn::GetAtt' in value) {
    const args = value['Fn::GetAtt'];
    const [logicalId, attribute] = Array.isArray(args) ? args : typeof args === 'string' ? args.split('.') : [];
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') return undefined;
    const resource = stack.template.Resources?.[logicalId];
    return resource ? { stack, logicalId, resource, attribute } : undefined;
  }
  if ('Fn::ImportValue' in value && typeof value['Fn::ImportValue'] === 'string') {
    const exportName = value['Fn::ImportValue'];
    for (const other of stacks) {
      for (const output of Object.values(other.template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return resolveResource(output.Value, other, stacks);
      }
    }
  }
  return undefined;
}

/** A compact rendering of a template value for error messages. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
