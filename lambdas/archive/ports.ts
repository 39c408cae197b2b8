/** What the archive talks to: the archive bucket. */
import type { ArchiveObject } from './archive-format';

/** Writes one archive object; overwriting an existing key must be allowed (and versioned). */
export interface ArchiveStore {
  put(object: ArchiveObject): Promise<void>;
}
