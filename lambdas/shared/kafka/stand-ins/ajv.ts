/**
 * Bundle-time stand-in for `ajv/dist/2020.js` (see lib/function-bundle.ts). The Kafka client checks
 * its options against JSON schemas compiled at module load: 130 KB of ajv and the compilation in
 * every cold start. In a function the options are constants typed by TypeScript, and the tests
 * that run the client unbundled still validate them with the real ajv, so every check passes here.
 */
type Validator = ((data: unknown) => boolean) & { errors: null };

export class Ajv2020 {
  compile(): Validator {
    return Object.assign(() => true, { errors: null });
  }

  addKeyword(): this {
    return this;
  }

  errorsText(): string {
    return 'no errors';
  }
}
