import { CONTROL_EXCEPTIONS } from '../../../lib/control-tower';
import type { ControlTowerReport } from './pipeline';

/**
 * No Control Tower violation left, and every one acknowledged is an entry of CONTROL_EXCEPTIONS
 * (its rule, with its control id and reason): nothing is excused anywhere else.
 */
export function expectControlTowerClean(report: ControlTowerReport): void {
  expect(report.rules.length).toBeGreaterThan(200);
  expect(report.violations).toEqual([]);
  const listed = new Set(CONTROL_EXCEPTIONS.map((e) => `${e.rule} ${e.control}: ${e.reason}`));
  for (const excepted of report.excepted) {
    expect(listed).toContain(`${excepted.ruleName} ${excepted.reason}`);
  }
}
