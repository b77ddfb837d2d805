import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { contractFileDescriptors } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';
import { DependencyHealth, type DependencyProbe } from './dependency-health';
import { requestIdInterceptor } from './interceptors';
import { addTolerantService, tolerantRegistrar } from './undecodable-request';

const HEALTH_SERVICE = 'grpc.health.v1.Health';

export interface GrpcServerConfig {
  readonly GRPC_HOST: string;
  readonly GRPC_PORT: number;
  readonly GRPC_MAX_MESSAGE_BYTES: number;
  readonly GRPC_KEEPALIVE_TIME_MS: number;
  readonly GRPC_KEEPALIVE_TIMEOUT_MS: number;
  readonly HEALTH_CHECK_INTERVAL_MS: number;
  readonly SHUTDOWN_TIMEOUT_MS: number;
}

export interface ServiceRegistration {
  readonly definition: ServiceDefinition;
  /** Methods left out answer UNIMPLEMENTED. */
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  readonly config: GrpcServerConfig;
  readonly logger: Logger;
  readonly services: readonly ServiceRegistration[];
  readonly probes: readonly DependencyProbe[];
  /** Run when shutdown starts, before draining: end long-lived streams here. */
  readonly beforeDrain?: () => void;
  /** Run after the server stopped, in order: close pools and connections here. */
  readonly onShutdown?: ReadonlyArray<() => Promise<void>>;
}

export interface RunningGrpcServer {
  readonly port: number;
  readonly health: DependencyHealth;
  /** Stops accepting calls, drains in-flight ones (forcing after SHUTDOWN_TIMEOUT_MS), then runs onShutdown. */
  shutdown(): Promise<void>;
}

/** Starts a gRPC server with health, reflection, request ids and explicit limits. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { config, logger } = options;
  const server = new Server({
    'grpc.max_receive_message_length': config.GRPC_MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': config.GRPC_MAX_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': config.GRPC_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': config.GRPC_KEEPALIVE_TIMEOUT_MS,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    interceptors: [requestIdInterceptor(logger)],
  });

  for (const service of options.services) addTolerantService(server, service.definition, service.implementation);

  const healthImpl = new HealthImplementation();
  healthImpl.addToServer(tolerantRegistrar(server) as Server);
  const health = new DependencyHealth(healthImpl, {
    probes: options.probes,
    services: options.services.map((s) => serviceName(s.definition)),
    intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
    logger,
  });

  const names = options.services.map((s) => serviceName(s.definition));
  new ReflectionService(reflectionDefinition(), { services: [...names, HEALTH_SERVICE] }).addToServer(tolerantRegistrar(server) as Server);

  const address = `${config.GRPC_HOST}:${config.GRPC_PORT}`;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, boundPort) => (err ? reject(err) : resolve(boundPort))),
  );
  await health.start();
  logger.info(
    { address: `${config.GRPC_HOST}:${port}`, services: options.services.map((s) => serviceName(s.definition)) },
    'gRPC server listening',
  );

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      health.stop();
      options.beforeDrain?.();
      await drain(server, config.SHUTDOWN_TIMEOUT_MS, logger);
      for (const close of options.onShutdown ?? []) {
        await close().catch((err: unknown) => logger.warn({ err }, 'error while closing a dependency'));
      }
      logger.info('gRPC server stopped');
    })();
    return stopping;
  };
  return { port, health, shutdown };
}

/** The fully-qualified name of a service, e.g. "catalog.v1.CommandService". */
export function serviceName(definition: ServiceDefinition): string {
  const firstMethod = Object.values(definition)[0];
  if (firstMethod === undefined) throw new Error('service definition has no methods');
  return firstMethod.path.split('/')[1] ?? '';
}

/**
 * @grpc/reflection reads only `fileDescriptorProtos` from a package definition; handing it the
 * descriptors buf compiled (instead of proto-loader's per-package merge, which drops imports)
 * lets grpcurl link every file exactly as written in proto/.
 */
function reflectionDefinition(): PackageDefinition {
  return {
    contracts: { format: 'Protocol Buffer 3 FileDescriptorProto', fileDescriptorProtos: contractFileDescriptors() },
  } as unknown as PackageDefinition;
}

function drain(server: Server, timeoutMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      logger.warn({ timeoutMs }, 'in-flight calls did not finish in time; cancelling them');
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
