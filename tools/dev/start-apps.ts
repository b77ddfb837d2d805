/**
 * Runs the three apps from their build output in one terminal, each line prefixed with the
 * app's name. Ctrl-C (or SIGTERM) stops them all gracefully; if one app dies, the others stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { appNodeArgs } from '@cqrs/testing';

const ROOT = join(__dirname, '..', '..');
/** Each app reads GRPC_PORT; here it comes from the app's own variable so all three can differ. */
const APPS = [
  { app: 'command-service', portVar: 'COMMAND_SERVICE_PORT', port: '50051' },
  { app: 'query-service', portVar: 'QUERY_SERVICE_PORT', port: '50052' },
  { app: 'projector', portVar: 'PROJECTOR_PORT', port: '50053' },
] as const;

const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  const wait = setInterval(() => {
    if ([...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null)) {
      clearInterval(wait);
      process.exit(exitCode);
    }
  }, 100);
}

for (const { app, portVar, port } of APPS) {
  const env = { ...process.env, GRPC_PORT: process.env[portVar] || port };
  const child = spawn(process.execPath, [...appNodeArgs(), join(ROOT, 'dist', 'apps', app, 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(app, child);
  const label = app.padEnd(16);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${label}| ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    process.stdout.write(`${label}| exited (${code ?? signal})\n`);
    if (!stopping) stopAll(1);
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
