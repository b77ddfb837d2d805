import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@cqrs/testing';

jest.setTimeout(60_000);

/** The dependency rules of the design, checked by linting probe files placed in real projects. */
describe('module boundaries', () => {
  // The ESLint CLI in a child process: its flat config is an ES module, which jest's VM cannot import.
  async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
    const eslint = join(REPO_ROOT, 'node_modules', '.bin', 'eslint');
    const run = spawnSync(eslint, ['--stdin', '--stdin-filename', filePath, '--format', 'json'], {
      cwd: REPO_ROOT,
      input: code,
      encoding: 'utf8',
    });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  }

  it('fails when query-side code imports write-side code', async () => {
    const errors = await boundaryErrors(
      'apps/query-service/src/probe.ts',
      "import { createMysql } from '@cqrs/write-store';\nexport const x = createMysql;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"side:read" can not depend on libs tagged with "side:write"')]);
  });

  it('fails when write-side code imports the view store', async () => {
    const errors = await boundaryErrors(
      'apps/command-service/src/probe.ts',
      "import { createViewDatabase } from '@cqrs/view-store';\nexport const x = createViewDatabase;\n",
    );
    expect(errors).toEqual([expect.stringContaining('"side:write" can not depend on libs tagged with "side:read"')]);
  });

  it('fails when a util lib imports infrastructure', async () => {
    const errors = await boundaryErrors(
      'libs/platform/config/src/probe.ts',
      "import { NatsClient } from '@cqrs/messaging';\nexport const x = NatsClient;\n",
    );
    expect(errors).toEqual([expect.stringContaining('can only depend on libs tagged with "type:util"')]);
  });

  it('fails when the domain imports I/O', async () => {
    const errors = await boundaryErrors(
      'libs/catalog/domain/src/probe.ts',
      "import knex from 'knex';\nimport { connect } from 'nats';\nexport const x = [knex, connect];\n",
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('"type:domain" is not allowed to import "knex"');
    expect(errors[1]).toContain('"type:domain" is not allowed to import "nats"');
  });

  it('fails when the domain imports an infrastructure lib', async () => {
    const errors = await boundaryErrors(
      'libs/catalog/domain/src/probe.ts',
      "import { createMysql } from '@cqrs/write-store';\nexport const x = createMysql;\n",
    );
    expect(errors).toEqual([expect.stringContaining('can only depend on libs tagged with "type:util"')]);
  });

  it('fails when an app imports another app', async () => {
    const errors = await boundaryErrors(
      'apps/query-service/src/probe.ts',
      "import { startProjector } from '../../projector/src/projector.app';\nexport const x = startProjector;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it("fails when a context's testing lib uses another context", async () => {
    const errors = await boundaryErrors(
      'libs/orders/testing/src/probe.ts',
      "import { productCreatedEvent } from '@cqrs/catalog-read-model/testing';\nexport const x = productCreatedEvent;\n",
    );
    expect(errors).toEqual([
      expect.stringContaining('"scope:orders" can only depend on libs tagged with "scope:orders", "scope:platform"'),
    ]);
  });

  it("allows a context's testing lib to build on the platform testing lib", async () => {
    expect(
      await boundaryErrors('libs/orders/testing/src/probe.ts', "import { unaryCall } from '@cqrs/testing';\nexport const x = unaryCall;\n"),
    ).toEqual([]);
  });

  it('allows an app to use platform libs of its side', async () => {
    expect(
      await boundaryErrors(
        'apps/query-service/src/probe.ts',
        "import { createViewDatabase } from '@cqrs/view-store';\nexport const x = createViewDatabase;\n",
      ),
    ).toEqual([]);
  });
});
