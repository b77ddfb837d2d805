import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goToolPath } from './go-tools';
import { freePort, startPrivateServer, type PrivateServer } from './private-server';

/** A FerretDB (SQLite backend, its own directory and port) that a test owns; stopping it is a crash. */
export interface PrivateFerretDb extends PrivateServer {
  readonly url: string;
}

export async function startPrivateFerretDb(): Promise<PrivateFerretDb> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cqrs-ferretdb-'));
  const server = await startPrivateServer({
    command: goToolPath('ferretdb'),
    args: [`--listen-addr=127.0.0.1:${port}`, '--handler=sqlite', `--sqlite-url=file:${dataDir}/`],
    port,
    stopSignal: 'SIGKILL',
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  });
  return { ...server, url: `mongodb://127.0.0.1:${port}` };
}
