import { tablesFromEnv } from '../shared/config';

export interface AnalyticsApiConfig {
  readonly analyticsTable: string;
  readonly notificationsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function analyticsApiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AnalyticsApiConfig {
  return {
    ...tablesFromEnv({ analyticsTable: 'analytics', notificationsTable: 'notifications' }, env),
  };
}
