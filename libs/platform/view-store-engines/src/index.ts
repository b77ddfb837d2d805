import type { Db } from 'mongodb';
import type { ViewStore } from '@cqrs/projection';
import { mongoViewStore } from '@cqrs/view-store';
import { ferretDbV1ViewStore, WRITE_CHUNK_SIZE } from '@cqrs/view-store-ferretdb';

export interface EngineUnderTest {
  readonly engine: 'mongodb' | 'ferretdb-v1';
  open(db: Db): ViewStore;
  /**
   * Whether two writers racing on one view can never both win on the local view store. The
   * mongodb engine trusts the server's compare-and-set, which FerretDB v1 (the local server) does
   * not make atomic; the ferretdb-v1 engine reads such writes back.
   */
  readonly atomicCompareAndSet: boolean;
}

/** Both view-store engines, for correctness suites that run against each (describe.each) on the local FerretDB. */
export const VIEW_STORE_ENGINES_UNDER_TEST: readonly EngineUnderTest[] = [
  // Small write commands, as selectViewStore gives the mongodb engine on FerretDB v1 (the local server).
  { engine: 'mongodb', open: (db) => mongoViewStore(db, { maxWritesPerCommand: WRITE_CHUNK_SIZE }), atomicCompareAndSet: false },
  { engine: 'ferretdb-v1', open: (db) => ferretDbV1ViewStore(db), atomicCompareAndSet: true },
];
