import { credentials, Metadata } from '@grpc/grpc-js';
import { healthV1 } from '@cqrs/contracts';

export type ServingStatusName = keyof typeof healthV1.HealthCheckResponse_ServingStatus;

/** Asks grpc.health.v1 through the generated client; "UNAVAILABLE" when the call itself fails. */
export async function checkHealth(port: number, service = ''): Promise<ServingStatusName | 'UNAVAILABLE'> {
  const client = new healthV1.HealthClient(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    const response = await new Promise<healthV1.HealthCheckResponse>((resolve, reject) =>
      client.check({ service }, new Metadata(), { deadline: Date.now() + 3_000 }, (err, res) => (err ? reject(err) : resolve(res))),
    );
    return healthV1.HealthCheckResponse_ServingStatus[response.status] as ServingStatusName;
  } catch {
    return 'UNAVAILABLE';
  } finally {
    client.close();
  }
}
