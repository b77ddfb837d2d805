import { status as Status } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  ConcurrencyError,
  DeadlineExceededError,
  DependencyUnavailableError,
  IllegalStateError,
  NotFoundError,
  ResourceExhaustedError,
  ValidationError,
} from '@cqrs/errors';
import {
  ERROR_LIMITS,
  errorInfoOf,
  ERROR_DOMAIN,
  fieldViolationsOf,
  STATUS_DETAILS_KEY,
  statusDetailsOf,
  toServiceError,
} from './error-mapping';

describe('toServiceError', () => {
  it.each([
    [new ValidationError([{ field: 'name', description: 'must not be empty' }]), Status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
    [new NotFoundError('product', 'p-1'), Status.NOT_FOUND, 'NOT_FOUND'],
    [new AlreadyExistsError('sku taken'), Status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
    [new IllegalStateError('product is deleted', { reason: 'PRODUCT_DELETED' }), Status.FAILED_PRECONDITION, 'PRODUCT_DELETED'],
    [new ConcurrencyError('catalog.product-p-1', 3, 4), Status.ABORTED, 'VERSION_CONFLICT'],
    [new DependencyUnavailableError('mysql'), Status.UNAVAILABLE, 'DEPENDENCY_UNAVAILABLE'],
    [new DeadlineExceededError('too slow'), Status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
    [
      new ResourceExhaustedError('too many watch streams', { reason: 'TOO_MANY_WATCH_STREAMS' }),
      Status.RESOURCE_EXHAUSTED,
      'TOO_MANY_WATCH_STREAMS',
    ],
  ])('maps %p to its status code with an ErrorInfo', (err, code, reason) => {
    const { error, expected } = toServiceError(err);
    expect(error.code).toBe(code);
    expect(error.details).toBe(err.message);
    expect(expected).toBe(true);
    const info = errorInfoOf(error.metadata);
    expect(info?.reason).toBe(reason);
    expect(info?.domain).toBe(ERROR_DOMAIN);
    expect(statusDetailsOf(error.metadata)?.code).toBe(code);
  });

  it('sends one BadRequest field violation per bad field', () => {
    const { error } = toServiceError(
      new ValidationError([
        { field: 'name', description: 'must be 1 to 200 characters' },
        { field: 'price.currency_code', description: 'must be an ISO 4217 code' },
      ]),
    );
    expect(fieldViolationsOf(error.metadata)).toEqual([
      { field: 'name', description: 'must be 1 to 200 characters', reason: '', localizedMessage: undefined },
      { field: 'price.currency_code', description: 'must be an ISO 4217 code', reason: '', localizedMessage: undefined },
    ]);
  });

  it('cuts what it echoes: at most 20 violations, each short, with the total in the ErrorInfo', () => {
    const huge = 'x'.repeat(100_000);
    const { error } = toServiceError(
      new ValidationError(Array.from({ length: 5_000 }, (_, i) => ({ field: `lines[${i}].${huge}`, description: huge }))),
    );
    const violations = fieldViolationsOf(error.metadata);
    expect(violations).toHaveLength(ERROR_LIMITS.violations);
    expect(violations[0]?.description).toBe(`${'x'.repeat(ERROR_LIMITS.descriptionChars)}…(100000 chars)`);
    expect(errorInfoOf(error.metadata)?.metadata['field_violations']).toBe('5000');
    expect(error.details.length).toBeLessThanOrEqual(ERROR_LIMITS.messageChars + 20);
    expect(Buffer.from(error.metadata.get(STATUS_DETAILS_KEY)[0] ?? '').length).toBeLessThanOrEqual(ERROR_LIMITS.detailsBytes);
  });

  it('stays within its size when every character takes three bytes', () => {
    const wide = '€'.repeat(10_000);
    const { error } = toServiceError(
      new ValidationError(
        Array.from({ length: 50 }, () => ({ field: wide, description: wide })),
        { metadata: { [wide]: wide } },
      ),
    );
    expect(Buffer.from(error.metadata.get(STATUS_DETAILS_KEY)[0] ?? '').length).toBeLessThanOrEqual(ERROR_LIMITS.detailsBytes);
    expect(fieldViolationsOf(error.metadata).length).toBeGreaterThan(0);
  });

  it('puts the current version of a conflict in the ErrorInfo metadata', () => {
    const { error } = toServiceError(new ConcurrencyError('catalog.product-p-1', 3, 5));
    expect(errorInfoOf(error.metadata)?.metadata).toMatchObject({
      expected_version: '3',
      current_version: '5',
      stream_id: 'catalog.product-p-1',
    });
  });

  it('answers INTERNAL without leaking the message of an unexpected error', () => {
    const { error, expected } = toServiceError(new Error('ER_ACCESS_DENIED for user root@10.0.0.3'));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.details).toBe('internal error');
    expect(JSON.stringify(statusDetailsOf(error.metadata) ?? {})).not.toContain('10.0.0.3');
    expect(expected).toBe(false);
  });

  it('answers INTERNAL for thrown non-errors', () => {
    expect(toServiceError('boom').error.code).toBe(Status.INTERNAL);
    expect(toServiceError(undefined).error.code).toBe(Status.INTERNAL);
  });
});
