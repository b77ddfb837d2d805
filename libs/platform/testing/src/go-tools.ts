import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';

export type GoTool = 'grpcurl' | 'grpc-health-probe' | 'ghz' | 'ferretdb';

/** Path of a pinned Go tool, built once per machine by tools/scripts/go-tools.sh. */
export function goToolPath(tool: GoTool): string {
  const out = execFileSync('bash', [join(REPO_ROOT, 'tools/scripts/go-tools.sh'), tool], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const binDir = out.trim().split('\n').pop() ?? '';
  return join(binDir, tool);
}

/** Runs the installed grpcurl and returns its exit code and output. */
export function grpcurl(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(goToolPath('grpcurl'), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
