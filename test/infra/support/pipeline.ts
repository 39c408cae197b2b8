import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { CfnResource, CfnTemplate } from '../../../local/runtime/runner/cloudformation';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ConfigContext, loadStageConfig, type StageConfig, type StageName } from '../../../lib/config';
import { addControlTowerChecks, CONTROL_TOWER_PLUGIN } from '../../../lib/control-tower';
import { buildPipeline, type PipelineStacks } from '../../../lib/pipeline';
import type { StageSettings } from '../../../lib/stages';
import { currentSynthKey } from '../../../local/runtime/runner/synth-cache';
import { INFRA_SYNTH_DIR_ENV } from './synth-dir';
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
 * The whole app of one stage, synthesized in-process exactly as bin/app.ts builds it. Each variant
 * (context, settings, options) is synthesized once per jest run, by whichever test file asks first,
 * into a directory of the run keyed by a hash of the app's inputs and of the variant; the other
 * files read the cloud assembly and the cdk-nag and Control Tower findings from there. A synthesis
 * with its Control Tower checks costs tens of seconds of CPU, and most files ask for the same stages.
 * The construct tree (`stacks`) is rebuilt in the asking file, without synthesis, on first use.
 */
export function synthesizePipeline(
  context: ConfigContext,
  settings: Readonly<Record<StageName, StageSettings>> = TEST_STAGE_SETTINGS,
  options: SynthesisOptions = {},
): SynthesizedPipeline {
  const outdir = join(synthRoot(), variantKey(context, settings, options));
  withVariantLock(outdir, () => {
    if (!existsSync(join(outdir, FINDINGS_FILE))) synthesizeInto(outdir, context, settings, options);
  });
  const findings = JSON.parse(readFileSync(join(outdir, FINDINGS_FILE), 'utf8')) as Findings;
  const config = loadStageConfig(context, settings);
  const assembly = new CloudAssembly(outdir);
  const json = Object.fromEntries(
    STACK_PARTS.map((part) => [
      part,
      assembly.getStackByName(findings.stackNames[part]).template as SynthesizedTemplate,
    ]),
  ) as Record<StackPart, SynthesizedTemplate>;
  const templates = Object.fromEntries(
    STACK_PARTS.map((part) => [part, Template.fromJSON(json[part] as unknown as Record<string, unknown>)]),
  ) as Record<StackPart, Template>;
  let stacks: PipelineStacks | undefined;
  return {
    config,
    // The same constructs as the synthesized app's, built by the same code from the same config
    // (without bundling: no test of the constructs needs the bundles, which are in `outdir`).
    get stacks() {
      return (stacks ??= buildPipeline(newApp(outdir, {}), config));
    },
    assembly,
    templates,
    json,
    missingContext: (assembly.manifest.missing ?? []).map((m) => m.key),
    nagViolations: findings.nagViolations,
    controlTower: findings.controlTower,
    outdir,
    // The run's directory goes with the run (globalTeardown): another file may read this variant.
    dispose: () => undefined,
  };
}

/**
 * The three variants the infra tests read, so that each is synthesized once per run: dev as `cdk
 * synth` builds it (bundles included, for the bundle and route checks), prod with the test
 * settings (a real SES identity), and the serverless cluster with the demo switch (open API routes).
 */
export const VARIANTS = {
  dev: { context: { stage: 'dev' }, options: { bundle: true } },
  prod: { context: { stage: 'prod' }, options: {} },
  serverless: { context: { stage: 'dev', clusterType: 'serverless', apiAuth: 'none' }, options: {} },
} as const satisfies Record<string, { context: ConfigContext; options: SynthesisOptions }>;
export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

/** One of VARIANTS, synthesized by the first file that asks in this run. */
export function synthesizeVariant(name: VariantName): SynthesizedPipeline {
  const { context, options } = VARIANTS[name];
  return synthesizePipeline(context, TEST_STAGE_SETTINGS, options);
}

/** What a synthesis finds besides the assembly, written next to it. */
interface Findings {
  readonly stackNames: Record<StackPart, string>;
  readonly nagViolations: SynthesizedPipeline['nagViolations'];
  readonly controlTower: ControlTowerReport;
}
const FINDINGS_FILE = 'findings.json';

function newApp(outdir: string, options: SynthesisOptions): App {
  // The feature flags of cdk.json, as the CLI would pass them, and the asset metadata it adds.
  return new App({
    outdir,
    context: {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:enable-asset-metadata': true,
      // Synthesis completes and writes the validation report, which the tests read and assert on.
      '@aws-cdk/core:failSynthOnValidationErrors': false,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

/** Synthesizes into a fresh directory, renamed to `outdir` once complete with its findings. */
function synthesizeInto(
  outdir: string,
  context: ConfigContext,
  settings: Readonly<Record<StageName, StageSettings>>,
  options: SynthesisOptions,
): void {
  const staging = mkdtempSync(`${outdir}.staging-`);
  try {
    const app = newApp(staging, options);
    const stacks = buildPipeline(app, loadStageConfig(context, settings));
    const validator = addControlTowerChecks(app);
    app.synth();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings: Findings = {
      stackNames: Object.fromEntries(
        STACK_PARTS.map((part) => [part, stacks[part].stackName]),
      ) as Findings['stackNames'],
      nagViolations: report.violations.map((v) => ({
        ruleName: v.ruleName,
        resources: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '(unknown)'),
      })),
      controlTower: readControlTowerReport(staging, validator.ruleIds ?? []),
    };
    writeFileSync(join(staging, FINDINGS_FILE), JSON.stringify(findings));
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The run's directory of syntheses (globalSetup), or one of this process when a file runs without it. */
let processRoot: string | undefined;
function synthRoot(): string {
  const root = process.env[INFRA_SYNTH_DIR_ENV];
  if (root) return root;
  return (processRoot ??= mkdtempSync(join(tmpdir(), 'order-pipeline-cdk-')));
}

let inputsKey: string | undefined;
/** The app's inputs (as for `npm run local`'s reuse), this file (how it synthesizes) and the variant. */
function variantKey(
  context: ConfigContext,
  settings: Readonly<Record<StageName, StageSettings>>,
  options: SynthesisOptions,
): string {
  inputsKey ??= currentSynthKey() + createHash('sha256').update(readFileSync(__filename)).digest('hex');
  return createHash('sha256')
    .update(inputsKey)
    .update(JSON.stringify([context, settings, options.bundle ?? false]))
    .digest('hex')
    .slice(0, 24);
}

const LOCK_TIMEOUT_MS = 900_000;
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `fn` while holding the variant's lock (a directory, created atomically), across jest
 * workers. Synchronous, as the callers are: a synthesis in-process is synchronous anyway.
 */
function withVariantLock(outdir: string, fn: () => void): void {
  const lock = `${outdir}.lock`;
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the synthesis of ${outdir}`);
      sleepSync(250);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
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
