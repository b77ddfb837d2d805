import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, appendFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '@cqrs/testing';

jest.setTimeout(180_000);

const APPS = ['command-service', 'projector', 'query-service'] as const;
const PROJECT_ROOTS: Record<string, string> = {
  'command-service': 'apps/command-service',
  projector: 'apps/projector',
  'query-service': 'apps/query-service',
  tools: 'tools',
};

/**
 * `nx affected -t test` must run every test that starts an app's build when that app changes.
 * Which projects start which app is read from their specs (startApp('<app>'), startCatalogStack
 * starts all three), and checked on a scratch commit in a temporary clone of the committed HEAD.
 */
describe('nx affected after a change to an app', () => {
  let clone: string;

  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), 'nx-affected-'));
    execFileSync('git', ['clone', '-q', '--no-hardlinks', REPO_ROOT, clone]);
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'));
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
  });

  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  function git(...args: string[]): string {
    return execFileSync('git', args, { cwd: clone, encoding: 'utf8' });
  }

  function affectedBy(file: string): string[] {
    appendFileSync(join(clone, file), '\n// scratch change\n');
    git('commit', '-qam', `scratch change to ${file}`);
    const out = execFileSync(
      join(clone, 'node_modules', '.bin', 'nx'),
      ['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json'],
      {
        cwd: clone,
        encoding: 'utf8',
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      },
    );
    return JSON.parse(out) as string[];
  }

  it.each(APPS)('marks every project whose tests start %s', (app) => {
    const starters = Object.keys(PROJECT_ROOTS).filter((project) =>
      specsOf(PROJECT_ROOTS[project] ?? '').some((spec) => startsApp(spec, app)),
    );
    expect(starters.length).toBeGreaterThan(0);
    expect(affectedBy(`apps/${app}/src/main.ts`)).toEqual(expect.arrayContaining(starters));
  });
});

function specsOf(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (name === 'node_modules') return [];
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.spec.ts') ? [relative(REPO_ROOT, path)] : [];
    });
  return walk(join(REPO_ROOT, root));
}

function startsApp(spec: string, app: string): boolean {
  const text = readFileSync(join(REPO_ROOT, spec), 'utf8');
  return text.includes(`startApp('${app}'`) || text.includes('startCatalogStack(');
}
