import { join, resolve } from 'node:path';

/** The repository root, from this file's place in it (local/runtime/). */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Downloads kept between runs (the Kafka jars); gitignored. */
export const CACHE_DIR = join(PROJECT_ROOT, '.cache');

/** Logs and data of local runs; gitignored. */
export const LOCAL_DIR = join(PROJECT_ROOT, '.local');
