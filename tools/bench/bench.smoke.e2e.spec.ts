import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@cqrs/testing';
import type { Report } from './src/figures';

jest.setTimeout(300_000);

/** The harness itself, at tiny sizes: it runs end to end and writes a report of the right shape. No timing is asserted. */
describe('benchmark harness (smoke)', () => {
  const out = mkdtempSync(join(tmpdir(), 'cqrs-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes report.md, report.json and latency.svg with every scenario', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(
        join(REPO_ROOT, 'node_modules/.bin/tsx'),
        [join(REPO_ROOT, 'tools/bench/src/bench.ts'), '--mode', 'smoke', '--out', out],
        { cwd: REPO_ROOT, stdio: 'inherit' },
      );
      child.on('exit', resolve);
    });
    expect(code).toBe(0);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.mode).toBe('smoke');
    expect(report.ceilings.map((c) => c.name)).toEqual([
      expect.stringContaining('raw MySQL insert'),
      'raw JetStream async publish',
      'raw MongoDB-driver bulk upserts',
      'raw MongoDB-driver compare-and-set replaces of existing documents',
      expect.stringContaining('raw MongoDB-driver findOne'),
      expect.stringContaining('grpc-js empty unary RPC'),
    ]);
    expect(report.ceilings.every((c) => (c.rate ?? 0) > 0)).toBe(true);
    expect(new Set(report.figures.map((f) => f.scenario))).toEqual(
      new Set(['commands', 'visibility', 'catch-up', 'queries', 'query scaling', 'engines']),
    );
    const engineFigures = report.figures.filter((f) => f.scenario === 'engines').map((f) => f.name);
    for (const engine of ['ferretdb-v1', 'mongodb']) {
      expect(engineFigures.filter((name) => name.startsWith(`[${engine}]`)).length).toBeGreaterThan(0);
    }
    expect(report.figures.filter((f) => (f.errors ?? 0) > 0).map((f) => ({ figure: f.name, errors: f.errorKinds }))).toEqual([]);
    expect(report.figures.filter((f) => f.scenario === 'commands').every((f) => f.ratio !== undefined && f.ceiling !== undefined)).toBe(
      true,
    );
    expect(report.figures.filter((f) => f.scenario === 'query scaling' && f.ratio !== undefined)).toHaveLength(6);
    expect(report.figures.filter((f) => f.scenario === 'catch-up').map((f) => f.otherRatios?.map((r) => r.ceiling))).toEqual([
      ['raw MongoDB-driver compare-and-set replaces of existing documents'],
      ['raw MongoDB-driver compare-and-set replaces of existing documents'],
    ]);
    expect(new Set(report.resources.map((r) => r.app))).toEqual(new Set(['command-service', 'query-service', 'projector']));
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Ceilings');
    expect(existsSync(join(out, 'latency.svg'))).toBe(true);
    expect(readFileSync(join(out, 'latency.svg'), 'utf8')).toMatch(/^<svg /);
  });
});
