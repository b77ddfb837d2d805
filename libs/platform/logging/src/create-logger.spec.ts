import { createLogger } from './create-logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line)) } };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, level name and ISO time', () => {
    const { lines, destination } = capture();
    createLogger('command-service', 'info', destination).child({ requestId: 'r-1' }).info({ method: '/x' }, 'rpc');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'command-service', level: 'info', requestId: 'r-1', method: '/x', msg: 'rpc' });
    expect(String(lines[0]?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('logs an error with its cause chain', () => {
    const { lines, destination } = capture();
    createLogger('x', 'info', destination).error({ err: new Error('outer', { cause: new Error('inner') }) }, 'failed');
    expect(JSON.stringify(lines[0]?.['err'])).toContain('inner');
  });

  it('drops lines below the level', () => {
    const { lines, destination } = capture();
    createLogger('x', 'warn', destination).info('quiet');
    expect(lines).toHaveLength(0);
  });
});
