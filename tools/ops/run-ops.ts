import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@cqrs/testing';

/** Runs the operator CLI (`npm run ops -- …`) against an environment; resolves with its exit code and output. */
export function runOps(env: Readonly<Record<string, string>>, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'tools/ops/ops.ts'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
