import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { freePort, REPO_ROOT } from '@cqrs/testing';

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
});
