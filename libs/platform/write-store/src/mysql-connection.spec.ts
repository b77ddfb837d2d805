import { DependencyUnavailableError } from '@cqrs/errors';
import { DuplicateKeyError, LockConflictError, translateMysqlError } from './mysql-connection';

/** mysql2's errors as it builds them (lib/base/connection.js, lib/packets/packet.js). */
function mysql2Error(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('translateMysqlError', () => {
  it.each([
    [
      'a command on a connection the server closed',
      mysql2Error("Can't add new command when connection is in closed state", { fatal: true }),
    ],
    [
      'the connection lost mid-command',
      mysql2Error('Connection lost: The server closed the connection.', { fatal: true, code: 'PROTOCOL_CONNECTION_LOST' }),
    ],
    ['a refused connection', mysql2Error('connect ECONNREFUSED 127.0.0.1:3306', { fatal: true, code: 'ECONNREFUSED' })],
    [
      'a pool that could not acquire in time',
      Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }),
    ],
  ])('makes %s a DependencyUnavailableError naming mysql', (_case, err) => {
    const translated = translateMysqlError(err);
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect((translated as DependencyUnavailableError).cause).toBe(err);
  });

  it('passes a statement error through untouched', () => {
    const err = mysql2Error("Table 'cqrs.no_such_table' doesn't exist", { code: 'ER_NO_SUCH_TABLE', errno: 1146, sqlState: '42S02' });
    expect(translateMysqlError(err)).toBe(err);
  });

  it('makes a duplicate key a DuplicateKeyError, its cause chained', () => {
    const err = mysql2Error("Duplicate entry 'x' for key 'PRIMARY'", { code: 'ER_DUP_ENTRY', errno: 1062, sqlState: '23000' });
    const translated = translateMysqlError(err);
    expect(translated).toBeInstanceOf(DuplicateKeyError);
    expect(translated).toMatchObject({ name: 'DuplicateKeyError', cause: err });
  });

  it.each([
    ['a deadlock', 'ER_LOCK_DEADLOCK', 1213],
    ['a lock wait timeout', 'ER_LOCK_WAIT_TIMEOUT', 1205],
  ])('makes %s a LockConflictError (a race lost, not an outage)', (_case, code, errno) => {
    const err = mysql2Error('lock', { code, errno, sqlState: '40001' });
    const translated = translateMysqlError(err);
    expect(translated).toBeInstanceOf(LockConflictError);
    expect(translated).toMatchObject({ name: 'LockConflictError', cause: err });
  });
});
