/**
 * The error of class `type` that `run` throws, for a test to look into. Any other error is thrown
 * again, and returning without throwing fails the test.
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name} to be thrown`);
}
