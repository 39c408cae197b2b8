import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { CfnResource, CfnTemplate } from '../../../local/runtime/runner/cloudformation';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ConfigContext, loadStageConfig, type StageConfig, type StageName } from '../../../lib/config';
import { addControlTowerChecks, CONTROL_TOWER_PLUGIN } from '../../../lib/control-tower';
import { buildPipeline, type PipelineStacks } from '../../../lib/pipeline';
import type { StageSettings } from '../../../lib/stages';
import { TEST_STAGE_SETTINGS } from './stages';

const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(resolve(__dirname, '..', '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export type StackPart = keyof PipelineStacks;
export const STACK_PARTS: readonly StackPart[] = ['network', 'streaming', 'data', 'services'];

export interface SynthesizedPipeline {
  readonly config: StageConfig;
  readonly stacks: PipelineStacks;
  readonly assembly: CloudAssembly;
  readonly templates: Record<StackPart, Template>;
  /** Raw template JSON, for the helpers below. */
  readonly json: Record<StackPart, SynthesizedTemplate>;
  /** Context values the app would have had to look up in AWS (none: synth stays offline). */
  readonly missingContext: readonly string[];
  /** cdk-nag AwsSolutions findings that no acknowledgement covers. */
  readonly nagViolations: readonly { ruleName: string; resources: string[] }[];
  /** The Control Tower controls (cfn-guard), from the validation report that app.synth() writes. */
  readonly controlTower: ControlTowerReport;
  readonly outdir: string;
  dispose(): void;
}

export interface ControlTowerReport {
  /** Rules the validator ran over every template. */
  readonly rules: readonly string[];
  /** Violations that no acknowledgement covers: the target is none. */
  readonly violations: readonly { ruleName: string; resources: string[] }[];
  /** Violations acknowledged on their resources, with the reason. */
  readonly excepted: readonly { ruleName: string; reason: string; resources: string[] }[];
}

/** A synthesized template, read with the local runtime's CloudFormation types: one name for one thing. */
export type SynthesizedTemplate = CfnTemplate & { readonly Resources: Record<string, CfnResource> };

export interface SynthesisOptions {
  /**
   * Bundle every function with esbuild, as `cdk synth` does (default false). Only a test of the bundles
   * needs them; without, CDK stages a placeholder asset ("aws:cdk:bundling-stacks" empty, as
   * `cdk synth --exclusively` does for stacks it skips) and the templates are otherwise the same.
   */
  readonly bundle?: boolean;
}

/**
 * Synthesizes the whole app of one stage in-process, exactly as bin/app.ts builds it, into a
 * temporary cdk.out that dispose() removes. Call once per stage per test file (beforeAll).
 */
export function synthesizePipeline(
  context: ConfigContext,
  settings: Readonly<Record<StageName, StageSettings>> = TEST_STAGE_SETTINGS,
  options: SynthesisOptions = {},
): SynthesizedPipeline {
  const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-cdk-'));
  // The feature flags of cdk.json, as the CLI would pass them, and the asset metadata it adds.
  const app = new App({
    outdir,
    context: {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:enable-asset-metadata': true,
      // Synthesis completes and writes the validation report, which the tests read and assert on.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = loadStageConfig(context, settings);
  const stacks = buildPipeline(app, config);
  const validator = addControlTowerChecks(app);
  const assembly = app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(app);
  const json = Object.fromEntries(
    STACK_PARTS.map((part) => [part, assembly.getStackByName(stacks[part].stackName).template as SynthesizedTemplate]),
  ) as Record<StackPart, SynthesizedTemplate>;
  const templates = Object.fromEntries(
    STACK_PARTS.map((part) => [part, Template.fromJSON(json[part] as unknown as Record<string, unknown>)]),
  ) as Record<StackPart, Template>;
  return {
    config,
    stacks,
    assembly,
    templates,
    json,
    missingContext: (assembly.manifest.missing ?? []).map((m) => m.key),
    nagViolations: report.violations.map((v) => ({
      ruleName: v.ruleName,
      resources: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '(unknown)'),
    })),
    controlTower: readControlTowerReport(outdir, validator.ruleIds ?? []),
    outdir,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

interface ValidationReportJson {
  pluginReports: {
    pluginName: string;
    violations: ReportedViolation[];
    suppressedViolations?: (ReportedViolation & { reason: string })[];
  }[];
}
interface ReportedViolation {
  ruleName: string;
  violatingConstructs: { constructPath: string; resourceLogicalId: string }[];
}

/** The validator's part of cdk.out/validation-report.json (absent when it found nothing). */
function readControlTowerReport(outdir: string, rules: readonly string[]): ControlTowerReport {
  const file = join(outdir, 'validation-report.json');
  const report: ValidationReportJson = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as ValidationReportJson)
    : { pluginReports: [] };
  const plugin = report.pluginReports.find((r) => r.pluginName === CONTROL_TOWER_PLUGIN);
  const resources = (v: ReportedViolation) => v.violatingConstructs.map((c) => c.constructPath || c.resourceLogicalId);
  return {
    rules,
    violations: (plugin?.violations ?? []).map((v) => ({ ruleName: v.ruleName, resources: resources(v) })),
    excepted: (plugin?.suppressedViolations ?? []).map((v) => ({
      ruleName: v.ruleName,
      reason: v.reason,
      resources: resources(v),
    })),
  };
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/**
 * A readable rendering of a CloudFormation value: `arn:${AWS::Partition}:kafka:...:topic/name/${...}/orders`.
 * Imports render as `${Import:<export name>}`, so a test can tell which stack's output is meant.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value && typeof value === 'object') {
    const [fn, arg] = Object.entries(value as Record<string, unknown>)[0];
    switch (fn) {
      case 'Ref':
        return `\${${String(arg)}}`;
      case 'Fn::GetAtt':
        return `\${${(arg as string[]).join('.')}}`;
      case 'Fn::ImportValue':
        return `\${Import:${render(arg)}}`;
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown[]];
        return parts.map(render).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return `\${Select(${index},${render(list)})}`;
      }
      case 'Fn::Split': {
        const [sep, source] = arg as [string, unknown];
        return `\${Split(${sep},${render(source)})}`;
      }
      default:
        return `\${${fn}(${render(arg)})}`;
    }
  }
  return String(value);
}

export interface Grant {
  readonly action: string;
  readonly resource: string;
  readonly effect: string;
}

/**
 * Every (action, resource) an identity-based policy in `template` gives the role of the function
 * with logical id `functionLogicalId` (inline policies attached to its role; managed policies are
 * checked where they are defined).
 */
export function grantsOfFunction(template: CfnTemplate, functionLogicalId: string): Grant[] {
  const fn = template.Resources?.[functionLogicalId];
  if (!fn) throw new Error(`No resource ${functionLogicalId}`);
  const roleId = ((fn.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] ?? [])[0];
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => ((p.Properties?.Roles as unknown[]) ?? []).some((r) => render(r) === `\${${roleId}}`))
    .flatMap(([, p]) => statementsOf(p.Properties?.PolicyDocument));
}

export function statementsOf(document: unknown): Grant[] {
  const statements = ((document as { Statement?: unknown[] } | undefined)?.Statement ?? []) as {
    Effect: string;
    Action: string | string[];
    Resource: unknown;
  }[];
  return statements.flatMap((s) =>
    [s.Action]
      .flat()
      .flatMap((action) =>
        [s.Resource].flat().map((resource) => ({ action, resource: render(resource), effect: s.Effect })),
      ),
  );
}

/**
 * A Match for a value imported from another stack of the app: CDK names its exports
 * `<stack name>:ExportsOutput...<logical id of the resource>...`, so the pattern names the resource.
 */
export function importedFrom(stackName: string, resource: string): Record<string, unknown> {
  return { 'Fn::ImportValue': Match.stringLikeRegexp(`^${stackName}:ExportsOutput\\w*${resource}`) };
}

/** Every intrinsic function (`Ref`, `Fn::...`) used anywhere in a template value. */
export function intrinsicsIn(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        if (key === 'Ref' || key.startsWith('Fn::')) found.add(key);
        walk(inner);
      }
    }
  };
  walk(value);
  return found;
}
