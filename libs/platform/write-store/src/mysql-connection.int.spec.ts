import { DependencyUnavailableError } from '@cqrs/errors';
import { freePort, isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { createMysql, ensureDatabase, mysqlProbe, translateMysqlError } from './mysql-connection';

jest.setTimeout(30_000);

describe('MySQL connection', () => {
  const isolated = isolatedEnvironment();
  const config = { MYSQL_URL: LOCAL_URLS.MYSQL_URL, MYSQL_DATABASE: isolated.env['MYSQL_DATABASE'] ?? '', MYSQL_POOL_MAX: 2 };

  afterAll(() => isolated.cleanup());

  it('creates the database once and reaches it', async () => {
    await ensureDatabase(config);
    await ensureDatabase(config);
    const db = createMysql(config);
    try {
      await expect(mysqlProbe(db).check()).resolves.toBeUndefined();
      const [rows] = await db.raw('SELECT DATABASE() AS name');
      expect(rows[0].name).toBe(config.MYSQL_DATABASE);
    } finally {
      await db.destroy();
    }
  });

  it('turns a refused connection into DependencyUnavailableError', async () => {
    const port = await freePort();
    const db = createMysql({ ...config, MYSQL_URL: `mysql://root@127.0.0.1:${port}` });
    try {
      const error = await db.raw('SELECT 1').then(
        () => undefined,
        (err: unknown) => translateMysqlError(err),
      );
      expect(error).toBeInstanceOf(DependencyUnavailableError);
    } finally {
      await db.destroy();
    }
  });

  it('passes other errors through untouched', async () => {
    const db = createMysql(config);
    try {
      const error = await db.raw('SELECT * FROM no_such_table').catch((err: unknown) => err);
      expect(translateMysqlError(error)).toBe(error);
    } finally {
      await db.destroy();
    }
  });
});
