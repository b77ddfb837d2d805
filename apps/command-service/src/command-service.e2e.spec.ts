import { describeAppLifecycle } from '@cqrs/testing';

jest.setTimeout(60_000);

describeAppLifecycle('command-service', {
  services: ['catalog.v1.CommandService'],
  dependencies: ['mysql', 'nats'],
});
