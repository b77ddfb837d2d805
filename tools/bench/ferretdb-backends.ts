/**
 * Measures FerretDB's two backends side by side on the view-store workload (bulk upserts,
 * findOne by id, version-guarded updates, sorted pages), each on its own FerretDB process
 * started here, and prints the PostgreSQL / SQLite ratio per operation.
 *
 *   npx tsx tools/bench/ferretdb-backends.ts [documents=3000]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { eventually, freePort, goToolPath } from '@cqrs/testing';

const DOCUMENTS = Number(process.argv[2] ?? 3000);
const PG_DATABASE = `ferretdb_bench_${process.pid}`;

type Figures = Record<string, number>;

async function workload(url: string): Promise<Figures> {
  const client = new MongoClient(url);
  const col = client.db('bench').collection<{ _id: string; name: string; version: number; price: number }>('products');
  const rate = async (count: number, body: () => Promise<void>) => {
    const started = performance.now();
    await body();
    return Math.round(count / ((performance.now() - started) / 1000));
  };
  const figures: Figures = {};
  figures['bulk upserts/s'] = await rate(DOCUMENTS, async () => {
    for (let b = 0; b < DOCUMENTS; b += 100) {
      const ops = Array.from({ length: Math.min(100, DOCUMENTS - b) }, (_, k) => ({
        updateOne: { filter: { _id: `p${b + k}` }, update: { $set: { name: `Product ${b + k}`, price: b + k, version: 1 } }, upsert: true },
      }));
      await col.bulkWrite(ops, { ordered: false });
    }
  });
  figures['findOne by id/s'] = await rate(2000, async () => {
    for (let i = 0; i < 2000; i++) await col.findOne({ _id: `p${i % DOCUMENTS}` });
  });
  figures['guarded updates/s'] = await rate(1000, async () => {
    for (let i = 0; i < 1000; i++) await col.updateOne({ _id: `p${i % DOCUMENTS}`, version: 1 }, { $set: { version: 2 } });
  });
  figures['sorted pages of 20/s'] = await rate(100, async () => {
    for (let i = 0; i < 100; i++) await col.find({}).sort({ name: 1 }).limit(20).toArray();
  });
  await client.close();
  return figures;
}

async function startFerret(args: string[]): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(goToolPath('ferretdb'), [`--listen-addr=127.0.0.1:${port}`, ...args], { stdio: 'ignore' });
  const url = `mongodb://127.0.0.1:${port}`;
  await eventually(async () => {
    const c = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    await c
      .db('admin')
      .command({ ping: 1 })
      .finally(() => c.close());
  });
  return { url, process: child };
}

async function main() {
  const psql = (sql: string) =>
    spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-tAc', sql], { encoding: 'utf8' });
  psql(`CREATE DATABASE ${PG_DATABASE}`);
  const sqliteDir = mkdtempSync(join(tmpdir(), 'ferretdb-sqlite-'));
  const pg = await startFerret(['--handler=postgresql', `--postgresql-url=postgres://postgres@127.0.0.1:5432/${PG_DATABASE}`]);
  const sqlite = await startFerret(['--handler=sqlite', `--sqlite-url=file:${sqliteDir}/`]);
  try {
    const pgFigures = await workload(pg.url);
    const sqliteFigures = await workload(sqlite.url);
    console.log(`FerretDB v1.24.2 backends, ${DOCUMENTS} documents (higher is better)\n`);
    console.log('| operation | postgresql | sqlite | postgresql / sqlite |\n| --- | ---: | ---: | ---: |');
    for (const op of Object.keys(pgFigures)) {
      const a = pgFigures[op] ?? 0;
      const b = sqliteFigures[op] ?? 0;
      console.log(`| ${op} | ${a} | ${b} | ${(a / b).toFixed(2)}× |`);
    }
  } finally {
    pg.process.kill();
    sqlite.process.kill();
    rmSync(sqliteDir, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    psql(`DROP DATABASE IF EXISTS ${PG_DATABASE}`);
  }
}

void main();
