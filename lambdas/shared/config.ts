import { TABLES, type TableId } from './contracts/tables';

/**
 * Reads environment variables once, at start-up, and fails the cold start with a clear message when
 * one is missing: a misconfigured function should never run with a silent default.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

export function requireEnum<T extends string>(
  name: string,
  allowed: readonly T[],
  env: NodeJS.ProcessEnv = process.env,
): T {
  const value = requireEnv(name, env);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`Environment variable ${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  }
  return value as T;
}

export function requireBoolean(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return requireEnum(name, ['true', 'false'] as const, env) === 'true';
}

/**
 * The names of the tables a function is given, each read from its TABLES variable:
 * `{ ordersTable: 'orders' }` reads ORDERS_TABLE into `ordersTable`.
 */
export function tablesFromEnv<K extends string>(
  tables: Readonly<Record<K, TableId>>,
  env: NodeJS.ProcessEnv = process.env,
): Record<K, string> {
  const entries = Object.entries<TableId>(tables).map(([key, id]) => [key, requireEnv(TABLES[id].envVar, env)]);
  return Object.fromEntries(entries) as Record<K, string>;
}
