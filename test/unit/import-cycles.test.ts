import { importCycles, importGraph } from '../support/imports';

/**
 * No module imports itself back, even through types: a cycle makes the load order decide what a
 * module sees at start, and it hides which of two modules is the lower layer.
 */
describe('import cycles', () => {
  it('GIVEN a graph with a loop WHEN its cycles are listed THEN the loop is found', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('GIVEN the repository source WHEN its relative imports are followed THEN none comes back to where it started', () => {
    const graph = importGraph(['bin', 'lambdas', 'lib', 'local', 'test']);
    expect(graph.size).toBeGreaterThan(300);
    expect(importCycles(graph)).toEqual([]);
  });
});
