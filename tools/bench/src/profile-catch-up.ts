/**
 * Where a projector catch-up spends the machine's CPU: on an isolated stack, commits stock
 * adjustments with the projector stopped, starts a projector (under `--cpu-prof` with --cpu-prof)
 * and prints events applied per second and the CPU seconds of every process on the machine
 * (nats-server, FerretDB, PostgreSQL, MariaDB, the Node apps) until it has caught up.
 *
 *   npx tsx tools/bench/src/profile-catch-up.ts [--events 10000] [--products 1000] [--cpu-prof]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { isolatedEnvironment, startApp, startCatalogStack } from '@cqrs/testing';
import { commitEvents, projectorBacklog, projectorDrained } from './catch-up';
import { printCpuProfile } from './cpu-profile';
import { cpuSecondsByProcessName } from './resources';
import { seedProducts } from './scenarios';
import { exitWhenDone } from './exit-when-done';

interface Options {
  readonly events: number;
  readonly products: number;
  readonly cpuProf: boolean;
}

async function main({ events, products, cpuProf }: Options): Promise<void> {
  const isolated = isolatedEnvironment('profile');
  const stack = await startCatalogStack(isolated.env);
  const profileDir = mkdtempSync(join(tmpdir(), 'cqrs-profile-catch-up-'));
  const backlog = await projectorBacklog(isolated.env);
  try {
    const seeded = await seedProducts(stack, products);
    await projectorDrained(isolated.env);
    await stack.projector.stop('SIGTERM');
    await commitEvents(stack, seeded.ids, events);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the relay publish the tail
    const pending = await backlog.pending();

    const before = cpuSecondsByProcessName();
    const started = performance.now();
    const projector = await startApp('projector', isolated.env, {
      nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    });
    while ((await backlog.pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    const seconds = (performance.now() - started) / 1000;
    const after = cpuSecondsByProcessName();
    await projector.stop('SIGTERM');

    console.log(`${pending} events caught up in ${seconds.toFixed(1)} s: ${Math.round(pending / seconds)} events/s`);
    console.log('CPU seconds meanwhile, machine-wide, by process name:');
    const used = [...after].map(([name, cpu]): [string, number] => [name, cpu - (before.get(name) ?? 0)]).filter(([, cpu]) => cpu >= 0.1);
    for (const [name, cpu] of used.sort((a, b) => b[1] - a[1])) {
      console.log(`${cpu.toFixed(1).padStart(8)} s  ${((100 * cpu) / seconds).toFixed(0).padStart(3)} % of a core  ${name}`);
    }
  } finally {
    await backlog.close();
    await stack.stop();
    await isolated.cleanup();
  }
  if (cpuProf) printCpuProfile(profileDir);
}

exitWhenDone(
  new Command('profile-catch-up')
    .option('--events <n>', 'stock adjustments to catch up on', (v) => Number(v), 10_000)
    .option('--products <n>', 'products they are spread over', (v) => Number(v), 1_000)
    .option('--cpu-prof', "also profile the projector's own CPU", false)
    .action(async (options: Options) => main(options))
    .parseAsync(),
);
