import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { isolatedEnvironment, LOCAL_URLS, REPO_ROOT } from '@cqrs/testing';
import { createMysql, ensureDatabase } from '../mysql-connection';

jest.setTimeout(120_000);

const isolated = isolatedEnvironment();
const config = { MYSQL_URL: LOCAL_URLS.MYSQL_URL, MYSQL_DATABASE: isolated.runId, MYSQL_POOL_MAX: 2 };
let db: Knex;

beforeAll(async () => {
  await ensureDatabase(config);
  db = createMysql(config);
});

afterAll(async () => {
  await db.destroy();
  await isolated.cleanup();
});

/** `npm run migrate -- <args>`: the knex CLI with the project's knexfile, against the test's database. */
async function knexCli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(REPO_ROOT, 'node_modules/.bin/tsx'),
    [join(REPO_ROOT, 'node_modules/knex/bin/cli.js'), '--knexfile', join(REPO_ROOT, 'libs/platform/write-store/knexfile.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MYSQL_URL: config.MYSQL_URL, MYSQL_DATABASE: config.MYSQL_DATABASE },
    },
  );
  return stdout;
}

const tables = async () =>
  ((await db.raw('SHOW TABLES'))[0] as Array<Record<string, string>>)
    .map((row) => Object.values(row)[0])
    .filter((t) => !String(t).startsWith('knex_'))
    .sort();

describe('the event store migrations through the knex CLI', () => {
  it('migrate up creates the tables, down removes them, up again restores them', async () => {
    expect(await knexCli('migrate:latest')).toMatch(/Batch 1 run: 1 migrations/);
    const created = await tables();
    expect(created).toEqual(expect.arrayContaining(['event_outbox', 'events', 'idempotency_records', 'unique_claims']));
    expect(await knexCli('migrate:rollback', '--all')).toMatch(/Batch 1 rolled back: 1 migrations/);
    expect(await tables()).toEqual([]);
    await knexCli('migrate:latest');
    expect(await tables()).toEqual(created);
  });
});
