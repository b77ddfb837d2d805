import { ConfigError, loadConfig } from './load-config';
import { grpcServerEnv, mongoEnv, mysqlEnv, natsEnv } from './shared-env';

const shape = { ...grpcServerEnv(50051), ...mysqlEnv, ...natsEnv, ...mongoEnv };

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(shape, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses local defaults when nothing is set', () => {
    const config = loadConfig(shape, {});
    expect(config).toMatchObject({
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: 50051,
      GRPC_MAX_MESSAGE_BYTES: 4 * 1024 * 1024,
      MYSQL_URL: 'mysql://root@127.0.0.1:3306',
      MYSQL_DATABASE: 'cqrs',
      NATS_URL: 'nats://127.0.0.1:4222',
      NATS_STREAM: 'EVENTS',
      MONGODB_URL: 'mongodb://127.0.0.1:27017',
      LOG_LEVEL: 'info',
    });
  });

  it('reads and converts what is set', () => {
    const config = loadConfig(shape, {
      GRPC_PORT: '6000',
      GRPC_HOST: '0.0.0.0',
      MYSQL_URL: 'mysql://app:s3cret@db.internal:3307',
      LOG_LEVEL: 'debug',
    });
    expect(config.GRPC_PORT).toBe(6000);
    expect(config.GRPC_HOST).toBe('0.0.0.0');
    expect(config.MYSQL_URL).toBe('mysql://app:s3cret@db.internal:3307');
    expect(config.LOG_LEVEL).toBe('debug');
  });

  it('names the bad variable, what it expects and what it got', () => {
    expect(problemsOf({ GRPC_PORT: 'http' })).toEqual(['GRPC_PORT: expected an integer from 0 to 65535 (got "http")']);
  });

  it('reports every bad variable at once', () => {
    const problems = problemsOf({ GRPC_PORT: '70000', MYSQL_URL: 'postgres://x', LOG_LEVEL: 'loud', MYSQL_DATABASE: 'my db' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^GRPC_PORT: .*70000/m);
    expect(problems.join('\n')).toMatch(/^MYSQL_URL: expected a URL starting with mysql:\/\//m);
    expect(problems.join('\n')).toMatch(/^LOG_LEVEL: /m);
    expect(problems.join('\n')).toMatch(/^MYSQL_DATABASE: /m);
  });

  it('rejects a host with a port in it', () => {
    expect(problemsOf({ GRPC_HOST: '0.0.0.0:50051' })[0]).toMatch(/^GRPC_HOST: expected a host name or IP address \(no port\)/);
  });

  it('puts all problems in the error message, one per line', () => {
    expect(() => loadConfig(shape, { GRPC_PORT: '-1', NATS_URL: 'not a url' })).toThrow(
      /invalid configuration:\n {2}- GRPC_PORT: .*\n {2}- NATS_URL: /,
    );
  });
});
