import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Self time per key, as shares of all samples. */
function selfTime(profile: CpuProfile, keyOf: (node: ProfileNode) => string): [string, number][] {
  const hits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    total += count;
    const key = keyOf(node);
    hits.set(key, (hits.get(key) ?? 0) + count);
  }
  return [...hits].map(([key, count]): [string, number] => [key, count / Math.max(1, total)]).sort((a, b) => b[1] - a[1]);
}

function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return `(${functionName || 'native'})`;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  if (url.startsWith('node:')) return 'node core';
  return url.includes('/dist/apps/') ? 'this repository' : url;
}

function functionOf(node: ProfileNode): string {
  const { url, functionName, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
}

/** Prints the self time by package and by function of the V8 CPU profile (`--cpu-prof`) in a directory. */
export function printCpuProfile(profileDir: string): void {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile was written to ${profileDir}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const print = (title: string, rows: [string, number][], count: number) => {
    console.log(`\n${title}`);
    for (const [key, share] of rows.slice(0, count)) console.log(`${(share * 100).toFixed(1).padStart(6)} %  ${key}`);
  };
  print('self time by package', selfTime(profile, packageOf), 15);
  print('self time by function', selfTime(profile, functionOf), 25);
  console.log(`\nprofile: ${join(profileDir, file)}`);
}
