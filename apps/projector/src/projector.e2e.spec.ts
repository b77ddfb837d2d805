import { describeAppLifecycle } from '@cqrs/testing';

jest.setTimeout(60_000);

describeAppLifecycle('projector', {
  services: [],
  dependencies: ['mongodb', 'nats'],
});
