import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPrivateServer, type PrivateServer } from './private-server';

/** A nats-server with JetStream that a test owns. */
export interface PrivateNats extends PrivateServer {
  readonly url: string;
}

export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'cqrs-nats-'));
  const server = await startPrivateServer({
    command: process.env['NATS_SERVER_BIN'] || 'nats-server',
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    port,
    cleanup: () => rmSync(storeDir, { recursive: true, force: true }),
  });
  return { ...server, url: `nats://127.0.0.1:${port}` };
}
