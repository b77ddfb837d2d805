/** A sort key: the value, then the view id to break ties. */
export type OrderKey = readonly [string | number, string];

/** A position in an order: strictly after `key`, or from it on when `inclusive`. */
export interface OrderPosition {
  readonly key: OrderKey;
  readonly inclusive?: boolean;
}

export function compareKeys(a: OrderKey, b: OrderKey): number {
  const [av, aid] = a;
  const [bv, bid] = b;
  if (av !== bv) {
    if (typeof av === 'number' && typeof bv === 'number') return av - bv;
    return String(av) < String(bv) ? -1 : 1;
  }
  return aid === bid ? 0 : aid < bid ? -1 : 1;
}

/** Whether a key lies beyond a position in the direction of travel. */
export function isBeyond(key: OrderKey, position: OrderPosition | undefined, descending: boolean): boolean {
  if (position === undefined) return true;
  const c = compareKeys(key, position.key) * (descending ? -1 : 1);
  return position.inclusive === true ? c >= 0 : c > 0;
}
