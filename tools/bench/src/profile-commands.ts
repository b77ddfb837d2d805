/**
 * Where the command service spends its CPU: runs it under `--cpu-prof` on an isolated stack, drives
 * AdjustProductStock through ghz, and prints the self time by package and by function.
 *
 *   npx tsx tools/bench/src/profile-commands.ts [--commands 3000] [--concurrency 16]
 *
 * The raw profile stays in the printed directory (open it in Chrome DevTools or speedscope).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { isolatedEnvironment, startApp } from '@cqrs/testing';
import { printCpuProfile } from './cpu-profile';
import { ghz } from './ghz';
import { exitWhenDone } from './exit-when-done';

async function main(commands: number, concurrency: number): Promise<void> {
  const isolated = isolatedEnvironment('profile');
  const profileDir = mkdtempSync(join(tmpdir(), 'cqrs-profile-'));
  const app = await startApp('command-service', isolated.env, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  try {
    const address = `127.0.0.1:${app.port}`;
    const created = await ghz('profile', 'create', {
      call: 'catalog.v1.CommandService/CreateProduct',
      address,
      concurrency: 8,
      total: 200,
      data: {
        sku: 'P-{{.UUID}}',
        name: 'Profiled {{.RequestNumber}}',
        price: { currency_code: 'EUR', amount_minor: 100 },
        initial_stock: 1,
      },
    });
    if ((created.errors ?? 0) > 0) throw new Error(`could not create the products: ${JSON.stringify(created.errorKinds)}`);
    const ids = await productIds(isolated.env);
    const figure = await ghz('profile', 'AdjustProductStock', {
      call: 'catalog.v1.CommandService/AdjustProductStock',
      address,
      concurrency,
      total: commands,
      data: ids.map((id) => ({ product_id: id, delta: 1 })),
    });
    console.log(`${figure.count} commands at ${figure.rate}/s (p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms), ${figure.errors} errors`);
  } finally {
    await app.stop('SIGTERM');
    await isolated.cleanup();
  }
  printCpuProfile(profileDir);
}

/** The ids of the products in this run's event store. */
async function productIds(env: Record<string, string>): Promise<string[]> {
  const { default: knex } = await import('knex');
  const db = knex({ client: 'mysql2', connection: `${env['MYSQL_URL']}/${env['MYSQL_DATABASE']}` });
  try {
    const rows = (await db('events').distinct('stream_id')) as { stream_id: string }[];
    return rows.map((row) => row.stream_id.replace(/^catalog\.product-/, ''));
  } finally {
    await db.destroy();
  }
}

exitWhenDone(
  new Command('profile-commands')
    .option('--commands <n>', 'AdjustProductStock calls', (v) => Number(v), 3_000)
    .option('--concurrency <n>', 'calls in flight', (v) => Number(v), 16)
    .action(async (options: { commands: number; concurrency: number }) => main(options.commands, options.concurrency))
    .parseAsync(),
);
