import { importGraph } from '../../support/imports';

/**
 * local/runtime is the reusable half of local/: another CDK app must be able to run its functions
 * with it by passing its own bindings and resources. So nothing under it may import this app's
 * code (lambdas/, lib/, bin/) or the lab that binds it (local/lab).
 */
describe('local/runtime', () => {
  const graph = importGraph(['local/runtime']);

  it('GIVEN the runtime source WHEN its imports are read THEN some are found (the scan sees the files)', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect([...graph.values()].flat()).toContain('local/runtime/endpoints.ts');
  });

  it('GIVEN every runtime file WHEN its relative imports are resolved THEN each stays inside local/runtime', () => {
    const outside = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !target.startsWith('local/runtime/')).map((target) => `${file} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });
});
