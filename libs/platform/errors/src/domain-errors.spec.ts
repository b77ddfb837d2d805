import { AlreadyExistsError, ConcurrencyError, DependencyUnavailableError, IllegalStateError, NotFoundError, PlatformError, ValidationError } from './domain-errors';

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
