import { eventually } from './eventually';
import { isolatedEnvironment } from './isolated-environment';
import { newRunId } from './run-id';

describe('test isolation helpers', () => {
  it('gives every run its own names', () => {
    const a = isolatedEnvironment();
    const b = isolatedEnvironment();
    expect(a.runId).not.toBe(b.runId);
    expect(a.env['MYSQL_DATABASE']).toBe(a.runId);
    expect(a.env['NATS_STREAM']).toBe(a.runId.toUpperCase());
    expect(a.env['NATS_SUBJECT_PREFIX']).toBe(a.runId);
    expect(a.env['MONGODB_DATABASE']).toBe(a.runId);
    expect(newRunId()).toMatch(/^[0-9a-z]+$/);
  });

  it('eventually retries until the assertion passes', async () => {
    let calls = 0;
    await expect(eventually(() => ++calls >= 3 || Promise.reject(new Error('not yet')), { intervalMs: 1 })).resolves.toBe(true);
    expect(calls).toBe(3);
  });

  it('eventually rethrows the last failure after its timeout', async () => {
    await expect(eventually(() => Promise.reject(new Error('never')), { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow('never');
  });
});
