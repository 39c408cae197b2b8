import type { LocalEndpoints } from '../endpoints';

/**
 * What the runner is told about the app it runs: the names whose meaning a template does not
 * carry. Everything else (functions, mappings, their settings and environments) it reads from the
 * synthesized templates. The app passes its values in (this repository's are the lab's bindings).
 */
export interface RunnerBindings {
  /** The tag whose value is a function's id; functions without it (the CDK's own) are not run. */
  readonly functionIdTag: string;
  /** Every id a function may carry in that tag. */
  readonly functionIds: readonly string[];
  /**
   * Function variables whose deployed values point at AWS (table names, brokers, their auth), with
   * their local values. Every other variable must be a literal in the template.
   */
  localEnvironment(endpoints: LocalEndpoints): Readonly<Record<string, string>>;
  /**
   * Variables that carry a bucket's name, with the name of its local stand-in. An S3 on-failure
   * destination is written locally when some function gets that bucket through one of them.
   */
  readonly buckets: Readonly<Record<string, string>>;
  /** The tables a DynamoDB stream mapping may read, told apart by their partition key, with their local names. */
  readonly streamTables: readonly { readonly partitionKey: string; readonly localName: string }[];
}
