import {
  AlreadyExistsError,
  ConcurrencyError,
  DependencyUnavailableError,
  IllegalStateError,
  NotFoundError,
  PlatformError,
  ValidationError,
} from './domain-errors';

describe('platform errors', () => {
  it('name themselves after their class and chain their cause', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new DependencyUnavailableError('mysql', { cause });
    expect(err.name).toBe('DependencyUnavailableError');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.metadata).toEqual({ dependency: 'mysql' });
  });

  it('list every field violation in the message', () => {
    const err = new ValidationError([
      { field: 'name', description: 'must not be empty' },
      { field: 'price.amount_minor', description: 'must not be negative' },
    ]);
    expect(err.message).toBe('invalid request: name: must not be empty; price.amount_minor: must not be negative');
    expect(err.reason).toBe('INVALID_ARGUMENT');
  });

  it('name only the first three violations of many in the message, and count the rest', () => {
    const violations = Array.from({ length: 10_000 }, (_, i) => ({ field: `lines[${i}].product_id`, description: 'x'.repeat(1_000) }));
    const err = new ValidationError(violations);
    expect(err.message).toMatch(/^invalid request: lines\[0\]\.product_id: x+…\(1000 chars\); lines\[1\].*; and 9997 more$/);
    expect(err.message.length).toBeLessThan(800);
    expect(err.violations).toHaveLength(10_000);
  });

  it('carry a default reason that a caller may override', () => {
    expect(new IllegalStateError('deleted').reason).toBe('ILLEGAL_STATE');
    expect(new IllegalStateError('deleted', { reason: 'PRODUCT_DELETED' }).reason).toBe('PRODUCT_DELETED');
    expect(new AlreadyExistsError('taken').reason).toBe('ALREADY_EXISTS');
  });

  it('describe what was not found and which version conflicted', () => {
    expect(new NotFoundError('product', 'p-9').message).toBe('product p-9 not found');
    const conflict = new ConcurrencyError('catalog.product-p-9', 2, 3);
    expect(conflict.message).toBe('stream catalog.product-p-9 is at version 3, expected 2');
    expect(conflict.metadata['current_version']).toBe('3');
  });
});
