import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { addControlTowerChecks, CONTROL_TOWER_PLUGIN } from '../../lib/control-tower';

// A one-resource app: what the stage tests rely on, shown on a violation they never see.
describe('Control Tower checks at synth', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'control-tower-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  const appWithPlainLogGroup = () => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Probe');
    const group = new logs.LogGroup(stack, 'PlainLogGroup', { retention: logs.RetentionDays.ONE_YEAR });
    addControlTowerChecks(app);
    return { app, group };
  };

  it('GIVEN a log group without a KMS key WHEN the app is synthesized THEN synthesis fails naming the rule and the resource', () => {
    const { app } = appWithPlainLogGroup();
    expect(() => app.synth()).toThrow(
      /CT\.CLOUDWATCH\.PR\.3[\s\S]*Probe\/PlainLogGroup[\s\S]*cloudwatch_log_group_encrypted_check/,
    );
  });

  it('GIVEN that log group acknowledged with a reason WHEN synthesized THEN synthesis succeeds and the report keeps the reason', () => {
    const { app, group } = appWithPlainLogGroup();
    Validations.of(group).acknowledge({
      id: `${CONTROL_TOWER_PLUGIN}::cloudwatch_log_group_encrypted_check`,
      reason: 'A probe with nothing to protect.',
    });
    app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations?: { reason: string }[] }[];
    };
    const plugin = report.pluginReports.find((r) => r.pluginName === CONTROL_TOWER_PLUGIN)!;
    expect(plugin.violations).toEqual([]);
    expect(plugin.suppressedViolations?.map((v) => v.reason)).toEqual(['A probe with nothing to protect.']);
  });
});
