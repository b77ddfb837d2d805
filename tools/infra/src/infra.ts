/**
 * Makes sure the local infrastructure is reachable on loopback: MariaDB, NATS with JetStream and
 * FerretDB. Uses a server that already runs, starts one that does not, waits until each is
 * healthy, and prints what it found and did.
 *
 *   npx tsx tools/infra/src/infra.ts up | status | down
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ferretDb, isLoopback, LOCAL_DIR, mariadb, MissingPrerequisiteError, natsJetStream, type LocalService } from './local-services';

const env = process.env;
const services: LocalService[] = [
  mariadb(env['MYSQL_URL'] || 'mysql://root@127.0.0.1:3306'),
  natsJetStream(env['NATS_URL'] || 'nats://127.0.0.1:4222'),
  ferretDb({
    mongoUrl: env['MONGODB_URL'] || 'mongodb://127.0.0.1:27017',
    handler: env['FERRETDB_HANDLER'] || 'postgresql',
    postgresUrl:
      env['FERRETDB_POSTGRESQL_URL'] ||
      'postgres://postgres@127.0.0.1:5432/ferretdb?pool_max_conns=80&plan_cache_mode=force_custom_plan&jit=off&max_parallel_workers_per_gather=0',
  }),
];

const START_TIMEOUT_MS = 60_000;

async function up(): Promise<number> {
  const rows: string[][] = [];
  let failed = false;
  for (const service of services) {
    if (await service.healthy()) {
      await service.prepareRunning?.();
      rows.push([service.name, service.address, 'found running']);
      continue;
    }
    if (!isLoopback(new URL(`tcp://${service.address}`))) {
      rows.push([service.name, service.address, 'NOT REACHABLE (not on loopback, so not started here)']);
      failed = true;
      continue;
    }
    try {
      process.stderr.write(`infra: starting ${service.name} on ${service.address} ...\n`);
      const started = Date.now();
      await service.start();
      await waitUntilHealthy(service);
      rows.push([service.name, service.address, `started (healthy after ${((Date.now() - started) / 1000).toFixed(1)} s)`]);
    } catch (err) {
      failed = true;
      const message = err instanceof MissingPrerequisiteError ? err.message : String((err as Error).message ?? err);
      rows.push([service.name, service.address, `FAILED: ${message}`]);
    }
  }
  printTable(rows);
  return failed ? 1 : 0;
}

async function status(): Promise<number> {
  const rows = await Promise.all(services.map(async (s) => [s.name, s.address, (await s.healthy()) ? 'healthy' : 'NOT REACHABLE']));
  printTable(rows);
  return rows.some((r) => r[2] !== 'healthy') ? 1 : 0;
}

/** Stops only the servers this tool started (their pids are in .local/run). */
function down(): number {
  const runDir = join(LOCAL_DIR, 'run');
  let files: string[] = [];
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  } catch {
    // nothing was started here
  }
  for (const file of files) {
    const pid = Number(readFileSync(join(runDir, file), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      console.log(`stopped ${file.replace(/\.pid$/, '')} (pid ${pid})`);
    } catch {
      console.log(`${file.replace(/\.pid$/, '')} (pid ${pid}) was not running`);
    }
    rmSync(join(runDir, file));
  }
  if (files.length === 0) console.log('nothing to stop: this tool started no server');
  return 0;
}

async function waitUntilHealthy(service: LocalService): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await service.healthy()) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`not healthy after ${START_TIMEOUT_MS / 1000} s; see .local/logs/`);
}

function printTable(rows: string[][]): void {
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows)
    console.log(`  ${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padEnd(widths[1] ?? 0)}  ${row[2] ?? ''}`);
}

async function main(): Promise<number> {
  const { positionals } = parseArgs({ allowPositionals: true });
  switch (positionals[0] ?? 'up') {
    case 'up':
      return up();
    case 'status':
      return status();
    case 'down':
      return down();
    default:
      console.error('usage: infra.ts [up|status|down]');
      return 2;
  }
}

main().then(
  // Exit at once: a client of a server that never answered may still hold the event loop.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
