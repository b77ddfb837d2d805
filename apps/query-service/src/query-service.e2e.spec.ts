import { describeAppLifecycle } from '@cqrs/testing';

jest.setTimeout(60_000);

describeAppLifecycle('query-service', {
  services: ['catalog.v1.QueryService'],
  dependencies: ['mongodb', 'nats'],
});
