import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { freePort, isolatedEnvironment, REPO_ROOT } from '@cqrs/testing';

jest.setTimeout(120_000);

function infra(command: string, env: Record<string, string> = {}) {
  const run = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'tools/infra/src/infra.ts'), command], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('tools/infra', () => {
  it('finds the running infrastructure healthy', () => {
    const { code, out } = infra('status');
    expect(out).toMatch(/MariaDB\s+127\.0\.0\.1:3306\s+healthy/);
    expect(out).toMatch(/NATS JetStream\s+127\.0\.0\.1:4222\s+healthy/);
    expect(out).toMatch(/FerretDB\s+127\.0\.0\.1:27017\s+healthy/);
    expect(code).toBe(0);
  });

  it('starts a server that is missing, waits until it is healthy, and stops only what it started', async () => {
    const localDir = mkdtempSync(join(tmpdir(), 'cqrs-infra-'));
    const port = await freePort();
    const env = { CQRS_LOCAL_DIR: localDir, NATS_URL: `nats://127.0.0.1:${port}` };
    try {
      const up = infra('up', env);
      expect(up.out).toMatch(/MariaDB\s+\S+\s+found running/);
      expect(up.out).toMatch(new RegExp(`NATS JetStream\\s+127\\.0\\.0\\.1:${port}\\s+started \\(healthy after`));
      expect(up.code).toBe(0);

      const nc = await connect({ servers: `127.0.0.1:${port}` });
      await expect((await nc.jetstreamManager()).getAccountInfo()).resolves.toBeDefined();
      await nc.close();

      const down = infra('down', env);
      expect(down.out).toMatch(/stopped nats \(pid \d+\)/);
      expect(infra('status', env).out).toMatch(new RegExp(`NATS JetStream\\s+127\\.0\\.0\\.1:${port}\\s+NOT REACHABLE`));
    } finally {
      infra('down', env);
      rmSync(localDir, { recursive: true, force: true });
    }
  });

  it('has FerretDB answer equality lookups from an index, not a scan (PostgreSQL backend)', async () => {
    const isolated = isolatedEnvironment('infra');
    const mongo = new MongoClient(isolated.env['MONGODB_URL'] ?? '');
    const database = isolated.env['MONGODB_DATABASE'] ?? '';
    const psql = (sql: string) =>
      spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'ferretdb', '-Atc', sql], { encoding: 'utf8' }).stdout.trim();
    try {
      const items = mongo.db(database).collection<{ _id: string; token: string }>('items');
      await items.createIndex({ token: 1 }, { name: 'by_token' });
      await items.insertMany(Array.from({ length: 3_000 }, (_, i) => ({ _id: `item-${i}`, token: `t${i % 300}` })));
      const table = psql(
        `SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname = '${database.toLowerCase()}' AND tablename LIKE 'items%'`,
      );
      psql(`ANALYZE ${table}`);
      // The conditions FerretDB v1 pushes down for {_id: ...} and {token: ...}.
      expect(psql(`EXPLAIN SELECT _jsonb FROM ${table} WHERE _jsonb->'_id' @> '"item-7"'`)).toMatch(/Index Scan/);
      expect(psql(`EXPLAIN SELECT _jsonb FROM ${table} WHERE _jsonb->'token' @> '"t7"'`)).toMatch(/Index Scan/);
      await expect(items.findOne({ _id: 'item-7' })).resolves.toEqual({ _id: 'item-7', token: 't7' });

      await items.dropIndex('by_token');
      expect(psql(`SELECT count(*) FROM pg_indexes WHERE schemaname = '${database.toLowerCase()}' AND indexname LIKE '%by_token%'`)).toBe(
        '0',
      );
    } finally {
      await mongo.close();
      await isolated.cleanup();
    }
  });
});
