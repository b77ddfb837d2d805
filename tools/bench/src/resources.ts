import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { round, type ResourceUse } from './figures';

const CLOCK_TICKS = 100;

interface Sample {
  readonly pid: number;
  readonly cpuTicks: number;
}

/** CPU time and peak RSS of app processes over one scenario, from /proc (Linux). */
export class ResourceMeter {
  private readonly before = new Map<string, Sample>();

  /** `apps` gives each app's current pid (an app restarted during a scenario is measured from its start). */
  constructor(private readonly apps: () => ReadonlyMap<string, number>) {}

  /** Starts a scenario: remembers CPU time and resets each process's peak RSS (clear_refs 5). */
  start(): void {
    for (const [app, pid] of this.apps()) {
      this.before.set(app, { pid, cpuTicks: cpuTicks(pid) });
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        // not permitted here: the peak then covers the process's whole life
      }
    }
  }

  stop(scenario: string): ResourceUse[] {
    return [...this.apps()].map(([app, pid]) => {
      const before = this.before.get(app);
      const from = before?.pid === pid ? before.cpuTicks : 0;
      return { scenario, app, cpuSeconds: round((cpuTicks(pid) - from) / CLOCK_TICKS), peakRssMb: round(peakRssKb(pid) / 1024, 1) };
    });
  }
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function peakRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** CPU seconds so far of every process on the machine, summed by process name (PostgreSQL's backends as one). */
export function cpuSecondsByProcessName(): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const key = name.startsWith('postgres') ? 'postgres' : name;
      seconds.set(key, (seconds.get(key) ?? 0) + cpuTicks(Number(pid)) / CLOCK_TICKS);
    } catch {
      // the process ended meanwhile
    }
  }
  return seconds;
}
