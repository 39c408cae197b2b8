import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';

export interface AnalyticsApiConfig {
  readonly analyticsTable: string;
  readonly notificationsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function analyticsApiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AnalyticsApiConfig {
  return {
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
    notificationsTable: requireEnv(TABLES.notifications.envVar, env),
  };
}
