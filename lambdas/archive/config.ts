import { requireEnv } from '../shared/config';

export interface ArchiveConfig {
  readonly bucket: string;
}

export function loadArchiveConfig(env: NodeJS.ProcessEnv = process.env): ArchiveConfig {
  return { bucket: requireEnv('ARCHIVE_BUCKET', env) };
}
