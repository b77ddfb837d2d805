import { deciderSpec } from '@cqrs/decider/testing';
import { AlreadyExistsError, AMOUNT_MINOR_MAX, IllegalStateError, NotFoundError, ValidationError } from '@cqrs/errors';
import type { OrderCommand, PlaceOrder } from './order.commands';
import { orderDecider } from './order.decider';
import type { OrderEvent, OrderPlaced } from './order.events';
import type { PricedLine } from './order.values';

const given = deciderSpec(orderDecider);
const orderId = '7d8f2c10-1b2a-4c3d-8e9f-0a1b2c3d4e5f';
const espresso = '0b7c1f52-5a7e-4c1b-9d59-1f2b8c3d4e5f';
const tarte = '1c8d2a63-6b8f-4d2c-8e6a-2a3c9d4e5f60';
const eur = (amountMinor: number) => ({ currencyCode: 'EUR', amountMinor });

const place = (overrides: Partial<PlaceOrder['data']> = {}): OrderCommand => ({
  type: 'PlaceOrder',
  data: {
    orderId,
    reference: { table: ' 12 ' },
    lines: [
      { productId: espresso, quantity: 2 },
      { productId: tarte, quantity: 1 },
    ],
    notes: ' no sugar ',
    ...overrides,
  },
});
const placed: OrderPlaced = {
  type: 'OrderPlaced',
  data: {
    orderId,
    reference: { table: '12' },
    lines: [
      { productId: espresso, quantity: 2 },
      { productId: tarte, quantity: 1 },
    ],
    notes: 'no sugar',
  },
};
const priced: PricedLine[] = [
  { productId: espresso, quantity: 2, name: 'Espresso', unitPrice: eur(250) },
  { productId: tarte, quantity: 1, name: 'Tarte Tatin', unitPrice: eur(650) },
];
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, lines: priced, total: eur(1_150) } };
const rejected: OrderEvent = { type: 'OrderRejected', data: { orderId, reason: 'not enough Tarte Tatin' } };
const preparing: OrderEvent = { type: 'OrderPreparationStarted', data: { orderId } };
const ready: OrderEvent = { type: 'OrderReady', data: { orderId } };
const served: OrderEvent = { type: 'OrderServed', data: { orderId } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'changed their mind' } };

const confirm: OrderCommand = { type: 'ConfirmOrder', data: { orderId, lines: priced } };
const reject: OrderCommand = { type: 'RejectOrder', data: { orderId, reason: 'not enough Tarte Tatin' } };
const startPreparing: OrderCommand = { type: 'StartPreparing', data: { orderId } };
const markReady: OrderCommand = { type: 'MarkReady', data: { orderId } };
const markServed: OrderCommand = { type: 'MarkServed', data: { orderId } };
const cancel: OrderCommand = { type: 'CancelOrder', data: { orderId, reason: ' changed their mind ' } };

/** Every history an order can have, by the state it ends in. */
const STATES: Record<string, OrderEvent[]> = {
  placed: [placed],
  confirmed: [placed, confirmed],
  rejected: [placed, rejected],
  preparing: [placed, confirmed, preparing],
  ready: [placed, confirmed, preparing, ready],
  served: [placed, confirmed, preparing, ready, served],
  cancelled: [placed, cancelled],
  'cancelled after confirmation': [placed, confirmed, cancelled],
};

function violationsOf(command: OrderCommand, events: OrderEvent[] = []): string[] {
  let fields: string[] = [];
  given(events)
    .when(command)
    .thenThrows(ValidationError, (err) => (fields = err.violations.map((v) => v.field)));
  return fields;
}

function refusedIn(state: string, command: OrderCommand): void {
  given(STATES[state] ?? [])
    .when(command)
    .thenThrows(IllegalStateError, (err) => {
      expect(err.message).toMatch(new RegExp(`is ${state.split(' ')[0]}`));
      expect(err.reason).toBe('ORDER_STATE');
      expect(err.metadata['status']).toBe(state.split(' ')[0]?.toUpperCase());
    });
}

describe('Order', () => {
  describe('PlaceOrder', () => {
    it('places an order for a table, with trimmed reference and notes', () => {
      given([]).when(place()).then([placed]);
    });

    it('records product ids in lower case, as the catalog names its streams', () => {
      given([])
        .when(
          place({
            lines: [
              { productId: espresso.toUpperCase(), quantity: 2 },
              { productId: tarte, quantity: 1 },
            ],
          }),
        )
        .then([placed]);
    });

    it('places an order for a customer', () => {
      given([])
        .when(place({ reference: { customer: ' Ada ' } }))
        .then([{ ...placed, data: { ...placed.data, reference: { customer: 'Ada' } } }]);
    });

    it('reports every bad field at once', () => {
      expect(
        violationsOf(
          place({
            reference: { table: '12', customer: 'Ada' },
            lines: [
              { productId: 'not-a-uuid', quantity: 1 },
              { productId: espresso, quantity: 0 },
              { productId: espresso, quantity: 100 },
            ],
            notes: 'x'.repeat(501),
          }),
        ),
      ).toEqual(['reference', 'lines[0].product_id', 'lines[1].quantity', 'lines[2].product_id', 'lines[2].quantity', 'notes']);
    });

    it('needs a table or a customer, and at least one line', () => {
      expect(violationsOf(place({ reference: { table: '  ' }, lines: [] }))).toEqual(['reference', 'lines']);
      expect(violationsOf(place({ reference: { table: 'table #1!' } }))).toEqual(['reference.table']);
      expect(violationsOf(place({ lines: Array.from({ length: 51 }, () => ({ productId: espresso, quantity: 1 })) }))[0]).toBe('lines');
    });

    it('refuses an order id that is taken (ALREADY_EXISTS)', () => {
      given([placed]).when(place()).thenThrows(AlreadyExistsError);
    });
  });

  describe('the outcome of the stock reservation', () => {
    it('confirms a placed order with the lines as the catalog priced them, and its total', () => {
      given([placed]).when(confirm).then([confirmed]);
    });

    it('rejects a placed order with the reason', () => {
      given([placed]).when(reject).then([rejected]);
    });

    it('changes nothing when the outcome is delivered again, or arrives after a cancellation', () => {
      for (const state of ['confirmed', 'preparing', 'ready', 'served', 'cancelled', 'cancelled after confirmation'])
        given(STATES[state] ?? [])
          .when(confirm)
          .then([]);
      for (const state of ['rejected', 'cancelled'])
        given(STATES[state] ?? [])
          .when(reject)
          .then([]);
    });

    it('does not reject an order that was confirmed (FAILED_PRECONDITION)', () => {
      refusedIn('confirmed', reject);
    });

    it('does not confirm with lines other than the order', () => {
      expect(violationsOf({ type: 'ConfirmOrder', data: { orderId, lines: priced.slice(0, 1) } }, [placed])).toEqual(['lines']);
      const moreEspresso = [{ ...priced[0], quantity: 3 } as PricedLine, priced[1] as PricedLine];
      expect(violationsOf({ type: 'ConfirmOrder', data: { orderId, lines: moreEspresso } }, [placed])).toEqual(['lines']);
    });

    it('does not add up lines in different currencies', () => {
      const mixed = [priced[0] as PricedLine, { ...(priced[1] as PricedLine), unitPrice: { currencyCode: 'USD', amountMinor: 700 } }];
      expect(violationsOf({ type: 'ConfirmOrder', data: { orderId, lines: mixed } }, [placed])).toEqual([
        'lines[1].unit_price.currency_code',
      ]);
    });

    describe('bounds: no amount past 10^15 minor units', () => {
      const pricedAt = (espressoPrice: number, tartePrice: number): PricedLine[] => [
        { ...(priced[0] as PricedLine), unitPrice: eur(espressoPrice) },
        { ...(priced[1] as PricedLine), unitPrice: eur(tartePrice) },
      ];
      const confirmAt = (espressoPrice: number, tartePrice: number): OrderCommand => ({
        type: 'ConfirmOrder',
        data: { orderId, lines: pricedAt(espressoPrice, tartePrice) },
      });
      const amountLimit = (err: IllegalStateError) => expect(err.reason).toBe('AMOUNT_LIMIT_EXCEEDED');

      it('confirms a total right at the bound', () => {
        const quarter = AMOUNT_MINOR_MAX / 4;
        given([placed])
          .when(confirmAt(quarter, 2 * quarter))
          .then([{ type: 'OrderConfirmed', data: { orderId, lines: pricedAt(quarter, 2 * quarter), total: eur(AMOUNT_MINOR_MAX) } }]);
      });

      it('refuses a line total or a total past the bound (FAILED_PRECONDITION), and a unit price past it', () => {
        given([placed])
          .when(confirmAt(AMOUNT_MINOR_MAX / 2 + 1, 0))
          .thenThrows(IllegalStateError, amountLimit);
        given([placed])
          .when(confirmAt(AMOUNT_MINOR_MAX / 2, 1))
          .thenThrows(IllegalStateError, amountLimit);
        expect(violationsOf(confirmAt(Number.MAX_SAFE_INTEGER, 1), [placed])).toEqual(['lines[0].unit_price.amount_minor']);
      });
    });
  });

  describe('in the kitchen', () => {
    it('goes confirmed → preparing → ready → served', () => {
      given(STATES['confirmed'] ?? [])
        .when(startPreparing)
        .then([preparing]);
      given(STATES['preparing'] ?? [])
        .when(markReady)
        .then([ready]);
      given(STATES['ready'] ?? [])
        .when(markServed)
        .then([served]);
    });

    it.each([
      ['placed', startPreparing],
      ['rejected', startPreparing],
      ['preparing', startPreparing],
      ['cancelled', startPreparing],
      ['confirmed', markReady],
      ['ready', markReady],
      ['preparing', markServed],
      ['served', markServed],
    ])('refuses out of turn, naming the state: %s', (state, command) => refusedIn(state, command));
  });

  describe('CancelOrder', () => {
    it('cancels a placed or a confirmed order (the catalog then releases what it reserved)', () => {
      given(STATES['placed'] ?? [])
        .when(cancel)
        .then([cancelled]);
      given(STATES['confirmed'] ?? [])
        .when(cancel)
        .then([cancelled]);
    });

    it.each(['rejected', 'preparing', 'ready', 'served', 'cancelled'])('refuses once the order is %s', (state) => refusedIn(state, cancel));

    it('refuses a reason longer than 500 characters', () => {
      expect(violationsOf({ type: 'CancelOrder', data: { orderId, reason: 'x'.repeat(501) } }, [placed])).toEqual(['reason']);
    });
  });

  it('answers NOT_FOUND for any command on an order that does not exist', () => {
    for (const command of [confirm, reject, startPreparing, markReady, markServed, cancel])
      given([]).when(command).thenThrows(NotFoundError);
  });
});
