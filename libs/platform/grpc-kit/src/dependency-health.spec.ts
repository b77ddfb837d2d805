import { HealthImplementation } from 'grpc-health-check';
import pino from 'pino';
import { DependencyHealth, type DependencyProbe } from './dependency-health';

function fakeProbe(name: string) {
  let up = true;
  const probe: DependencyProbe = {
    name,
    check: async () => {
      if (!up) throw new Error(`${name} unreachable`);
    },
  };
  return { probe, setUp: (value: boolean) => (up = value) };
}

function statusesOf(health: HealthImplementation) {
  const statuses = new Map<string, string>();
  jest.spyOn(health, 'setStatus').mockImplementation((service, status) => void statuses.set(service, status));
  return statuses;
}

describe('DependencyHealth', () => {
  const logger = pino({ level: 'silent' });

  it('reports each dependency and the overall status from the probes', async () => {
    const health = new HealthImplementation();
    const statuses = statusesOf(health);
    const mysql = fakeProbe('mysql');
    const nats = fakeProbe('nats');
    nats.setUp(false);
    const monitor = new DependencyHealth(health, {
      probes: [mysql.probe, nats.probe],
      services: ['catalog.v1.CommandService'],
      intervalMs: 60_000,
      logger,
    });

    expect(statuses.get('')).toBe('NOT_SERVING');
    await monitor.start();
    expect(statuses.get('mysql')).toBe('SERVING');
    expect(statuses.get('nats')).toBe('NOT_SERVING');
    expect(statuses.get('')).toBe('NOT_SERVING');
    expect(statuses.get('catalog.v1.CommandService')).toBe('NOT_SERVING');
    expect(monitor.isUp('nats')).toBe(false);
    monitor.stop();
  });

  it('follows a dependency that comes back and goes away on the interval', async () => {
    jest.useFakeTimers();
    try {
      const health = new HealthImplementation();
      const statuses = statusesOf(health);
      const nats = fakeProbe('nats');
      nats.setUp(false);
      const monitor = new DependencyHealth(health, { probes: [nats.probe], services: ['svc'], intervalMs: 1_000, logger });
      await monitor.start();
      expect(statuses.get('')).toBe('NOT_SERVING');

      nats.setUp(true);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(statuses.get('nats')).toBe('SERVING');
      expect(statuses.get('')).toBe('SERVING');
      expect(statuses.get('svc')).toBe('SERVING');

      nats.setUp(false);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(statuses.get('')).toBe('NOT_SERVING');
      monitor.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts a probe that never answers as down', async () => {
    const health = new HealthImplementation();
    const statuses = statusesOf(health);
    const hanging: DependencyProbe = { name: 'mongodb', check: () => new Promise(() => undefined) };
    const monitor = new DependencyHealth(health, { probes: [hanging], services: [], intervalMs: 200, logger });
    await monitor.start();
    expect(statuses.get('mongodb')).toBe('NOT_SERVING');
    monitor.stop();
  });

  it('reports NOT_SERVING everywhere once stopped', async () => {
    const health = new HealthImplementation();
    const statuses = statusesOf(health);
    const monitor = new DependencyHealth(health, { probes: [fakeProbe('mysql').probe], services: ['svc'], intervalMs: 60_000, logger });
    await monitor.start();
    expect(statuses.get('')).toBe('SERVING');
    monitor.stop();
    expect([statuses.get(''), statuses.get('svc'), statuses.get('mysql')]).toEqual(['NOT_SERVING', 'NOT_SERVING', 'NOT_SERVING']);
  });
});
