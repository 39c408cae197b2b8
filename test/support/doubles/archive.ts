import type { ArchiveObject } from '../../../lambdas/archive/archive-format';
import type { ArchiveStore } from '../../../lambdas/archive/ports';
import type { Fault } from './faults';

/** The archive bucket in memory: the latest version of each key, as a reader sees it, and every put in order. */
export class InMemoryArchiveStore implements ArchiveStore {
  readonly objects = new Map<string, Buffer>();
  readonly puts: ArchiveObject[] = [];
  fault: Fault<'put'> = () => undefined;

  async put(object: ArchiveObject): Promise<void> {
    const error = this.fault('put', object.key);
    if (error) throw error;
    this.puts.push(object);
    this.objects.set(object.key, Buffer.from(object.body));
  }
}
