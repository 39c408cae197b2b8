import { requireEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';

export interface ArchiveConfig {
  readonly bucket: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function archiveConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ArchiveConfig {
  return { bucket: requireEnv(ENV.archiveBucket, env) };
}
