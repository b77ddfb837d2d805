import { randomBytes } from 'node:crypto';

/** A short unique id for one test run: names its database, stream and view database. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
