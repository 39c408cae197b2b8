import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  readonly pid: number;
  readonly command: string;
  readonly rssBytes: number;
}

/**
 * Resident memory of a process and all its descendants (the local cloud: broker, DynamoDB Local,
 * s3rver, the runner's function processes and this process), read from /proc. Empty where there is
 * no /proc (macOS): the figure is a Linux measurement.
 */
export function processTreeMemory(rootPid: number = process.pid): ProcessMemory[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const parents = new Map<number, number>();
  const stats = new Map<number, { command: string; rssBytes: number }>();
  for (const name of entries) {
    const pid = Number(name);
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      parents.set(pid, ppid);
      stats.set(pid, { command, rssBytes: rssKb * 1024 });
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = new Set<number>([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree].flatMap((pid) => {
    const stat = stats.get(pid);
    return stat ? [{ pid, ...stat }] : [];
  });
}
