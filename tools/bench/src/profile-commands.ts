/**
 * Where the command service spends its CPU: runs it under `--cpu-prof` on an isolated stack, drives
 * AdjustProductStock through ghz, and prints the self time by package and by function.
 *
 *   npx tsx tools/bench/src/profile-commands.ts [--commands 3000] [--concurrency 16]
 *
 * The raw profile stays in the printed directory (open it in Chrome DevTools or speedscope).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { isolatedEnvironment, startApp } from '@cqrs/testing';
import { ghz } from './ghz';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Self time per key, as shares of all samples. */
function selfTime(profile: CpuProfile, keyOf: (node: ProfileNode) => string): [string, number][] {
  const hits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    total += count;
    const key = keyOf(node);
    hits.set(key, (hits.get(key) ?? 0) + count);
  }
  return [...hits].map(([key, count]): [string, number] => [key, count / Math.max(1, total)]).sort((a, b) => b[1] - a[1]);
}

function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return `(${functionName || 'native'})`;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  if (url.startsWith('node:')) return 'node core';
  return url.includes('/dist/apps/') ? 'this repository' : url;
}

function functionOf(node: ProfileNode): string {
  const { url, functionName, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

async function main(commands: number, concurrency: number): Promise<void> {
  const isolated = isolatedEnvironment('profile');
  const profileDir = mkdtempSync(join(tmpdir(), 'cqrs-profile-'));
  const app = await startApp('command-service', isolated.env, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  try {
    const address = `127.0.0.1:${app.port}`;
    const created = await ghz('profile', 'create', { call: 'catalog.v1.CommandService/CreateProduct', address, concurrency: 8, total: 200, data: { sku: 'P-{{.UUID}}', name: 'Profiled {{.RequestNumber}}', price: { currency_code: 'EUR', amount_minor: 100 }, initial_stock: 1 } });
    if ((created.errors ?? 0) > 0) throw new Error(`could not create the products: ${JSON.stringify(created.errorKinds)}`);
    const ids = await productIds(isolated.env);
    const figure = await ghz('profile', 'AdjustProductStock', { call: 'catalog.v1.CommandService/AdjustProductStock', address, concurrency, total: commands, data: ids.map((id) => ({ product_id: id, delta: 1 })) });
    console.log(`${figure.count} commands at ${figure.rate}/s (p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms), ${figure.errors} errors`);
  } finally {
    await app.stop('SIGTERM');
    await isolated.cleanup();
  }
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile was written to ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const print = (title: string, rows: [string, number][], count: number) => {
    console.log(`\n${title}`);
    for (const [key, share] of rows.slice(0, count)) console.log(`${(share * 100).toFixed(1).padStart(6)} %  ${key}`);
  };
  print('self time by package', selfTime(profile, packageOf), 15);
  print('self time by function', selfTime(profile, functionOf), 25);
  console.log(`\nprofile: ${join(profileDir, file)}`);
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

new Command('profile-commands')
  .option('--commands <n>', 'AdjustProductStock calls', (v) => Number(v), 3_000)
  .option('--concurrency <n>', 'calls in flight', (v) => Number(v), 16)
  .action(async (options: { commands: number; concurrency: number }) => main(options.commands, options.concurrency))
  .parseAsync()
  .then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
