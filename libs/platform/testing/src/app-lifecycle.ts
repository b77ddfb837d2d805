import { startApp, type AppName, type AppProcess } from './app-process';
import { eventually } from './eventually';
import { grpcurl } from './go-tools';
import { checkHealth } from './health-client';
import { isolatedEnvironment, type IsolatedEnvironment } from './isolated-environment';
import { startPrivateNats, type PrivateNats } from './private-nats';

export interface AppLifecycleOptions {
  /** Services grpcurl must list through reflection (besides grpc.health.v1.Health). */
  readonly services: readonly string[];
  /** Health entries the app reports, one per dependency. */
  readonly dependencies: readonly string[];
}

/**
 * The boot contract every app keeps, as jest tests: it starts against the real infrastructure
 * (with a NATS server of the test's own), reports health per dependency, serves reflection,
 * follows a dependency going down and coming back, and exits 0 on SIGTERM.
 */
export function describeAppLifecycle(app: AppName, options: AppLifecycleOptions): void {
  describe(`${app} lifecycle`, () => {
    let isolated: IsolatedEnvironment;
    let nats: PrivateNats;
    let running: AppProcess;

    beforeAll(async () => {
      isolated = isolatedEnvironment();
      nats = await startPrivateNats();
      running = await startApp(app, { ...isolated.env, NATS_URL: nats.url });
    });

    afterAll(async () => {
      await running?.stop('SIGKILL');
      await nats?.dispose();
      await isolated?.cleanup();
    });

    it('reports SERVING overall and for each dependency', async () => {
      await eventually(async () => expect(await checkHealth(running.port)).toBe('SERVING'));
      for (const dependency of options.dependencies) {
        expect(await checkHealth(running.port, dependency)).toBe('SERVING');
      }
    });

    it('lists its services through reflection with the installed grpcurl', () => {
      const result = grpcurl(['-plaintext', `127.0.0.1:${running.port}`, 'list']);
      expect(result.stderr).toBe('');
      const listed = result.stdout.trim().split('\n');
      expect(listed).toEqual(expect.arrayContaining([...options.services, 'grpc.health.v1.Health']));
    });

    it('reports NOT_SERVING while NATS is down and SERVING once it is back', async () => {
      await nats.stop();
      await eventually(async () => expect(await checkHealth(running.port, 'nats')).toBe('NOT_SERVING'));
      expect(await checkHealth(running.port)).toBe('NOT_SERVING');
      for (const service of options.services) expect(await checkHealth(running.port, service)).toBe('NOT_SERVING');

      await nats.start();
      await eventually(async () => expect(await checkHealth(running.port)).toBe('SERVING'), { timeoutMs: 20_000 });
      expect(await checkHealth(running.port, 'nats')).toBe('SERVING');
    });

    it('drains and exits 0 on SIGTERM', async () => {
      const code = await running.stop('SIGTERM');
      expect(code).toBe(0);
      expect(running.output.some((line) => line.includes('"msg":"gRPC server stopped"'))).toBe(true);
    });
  });
}
