import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnTemplate, StackTemplate } from '../../local/runtime/runner/cloudformation';

/** A synthesized cloud assembly of the app, cut down for the runner's tests: two stacks and a bundle. */
export const RUNNER_ASSEMBLY = join(__dirname, 'fixtures', 'runner-assembly');

/** The fixture's stacks, parsed afresh, for tests that alter a template. */
export function fixtureStacks(): StackTemplate[] {
  return ['Data', 'Services'].map((stackName) => {
    const templateFile = join(RUNNER_ASSEMBLY, `${stackName}.template.json`);
    return {
      stackName,
      templateFile,
      assemblyDir: RUNNER_ASSEMBLY,
      template: JSON.parse(readFileSync(templateFile, 'utf8')) as CfnTemplate,
    };
  });
}

/** The resources of one of the fixture's stacks, by logical id, to alter in place. */
export function resourcesOf(stacks: StackTemplate[], stackName: string) {
  return stacks.find((s) => s.stackName === stackName)!.template.Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
}

/** The logical id of billing's mapping on `orders` in the fixture. */
export const BILLING_ORDERS_MAPPING = 'BillingFunctionKafkaEventSourceServicesBillingFunction084B53C2orders1A2B3C4D';
