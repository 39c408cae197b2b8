import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { decodeBase64Strict } from '../encoding';
import { CURRENCIES, isAcceptedCurrency, maxAmount, withinLimit, type CurrencyCode } from './currencies';
import { STOCK_MARKER_PREFIX } from './tables';
import { TOPIC_BY_NAME, TOPICS, type TopicName } from './topics';

// zod/mini: the same parser without the classic API's methods on every schema, whose construction
// was most of the schemas' share of a cold start. Issues read in English once the locale is set.
z.config(en());

/**
 * Event schemas, defined once. Producers build events with them, consumers parse records with
 * them, and the tests check every file in events/ against them. Schemas are open (extra fields
 * pass through) so that a producer may add fields without breaking older consumers; removing or
 * retyping a field breaks the fixtures in test/unit/contracts and fails the build.
 */

/**
 * The characters an id may hold: letters and marks of any script, digits, and `_ . : @ # + = ~ -`.
 * An allow-list, not a deny-list: it refuses every control (Cc), format character (Cf: bidi overrides
 * such as U+202E, zero-width joiners), lone surrogate (Cs), line and paragraph separator (Zl, Zp),
 * space, quote, slash and angle bracket, which corrupt logs, keys, terminals and URLs or make two ids
 * look the same. Every id of the contract uses it: user, product, order, event, click, session, ...
 */
export const ID_PATTERN = /^[\p{L}\p{M}\p{N}_.:@#+=~-]*$/u;
export const IdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(ID_PATTERN, 'must hold only letters, digits and _ . : @ # + = ~ -'));
const id = IdSchema;
/** A product id never starts with the stock table's marker prefix, so it cannot collide with a marker. */
export const ProductIdSchema = IdSchema.check(
  z.refine((value) => !value.startsWith(STOCK_MARKER_PREFIX), {
    message: `must not start with "${STOCK_MARKER_PREFIX}", which is reserved`,
  }),
);
const isoTimestamp = z.iso.datetime({ offset: true });
/**
 * A payment method is a token (`credit_card`, a provider's `pm_1Nv...`), never free text: it is
 * stored in the ledger and sent to the provider, where CR, LF or NUL could forge a log line or header.
 */
export const PaymentMethodSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be a token: letters, digits and _ . : - (at most 64)'));
/**
 * Down to the finest ISO 4217 minor unit in use (three decimals: KWD, BHD, ...); the order API checks
 * each amount against its own currency's minor units (JPY none, USD two). The upper limit depends on
 * the currency (CURRENCIES), so events that carry one check it with `withinCurrencyLimits`.
 */
const money = z.number().check(z.nonnegative(), z.multipleOf(0.001));
/** One of the accepted ISO 4217 currencies (lambdas/shared/contracts/currencies.ts). */
export const CurrencySchema = z
  .string()
  .check(z.refine(isAcceptedCurrency, { message: `must be one of ${Object.keys(CURRENCIES).join(', ')}` }));

/** The amount and every unit price of an event are within its currency's limit (ISO 4217 minor units). */
const withinCurrencyLimits = z.superRefine(
  (event: { currency: string; amount: number; items?: readonly { unit_price: number }[] }, ctx) => {
    if (!isAcceptedCurrency(event.currency)) return;
    const limit = `at most ${maxAmount(event.currency)} ${event.currency}`;
    if (!withinLimit(event.amount, event.currency)) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `must be ${limit}`, input: event.amount });
    }
    (event.items ?? []).forEach((item, index) => {
      if (!withinLimit(item.unit_price, event.currency as CurrencyCode)) {
        ctx.addIssue({
          code: 'custom',
          path: ['items', index, 'unit_price'],
          message: `must be ${limit}`,
          input: item.unit_price,
        });
      }
    });
  },
);

export const MAX_ORDER_LINES = 50;

const envelope = {
  event_id: id,
  timestamp: isoTimestamp,
};

export const OrderLineSchema = z.looseObject({
  product_id: ProductIdSchema,
  quantity: z.int().check(z.positive(), z.maximum(1000)),
  unit_price: money,
});

export const OrderCreatedSchema = z
  .looseObject({
    ...envelope,
    event_type: z.literal('OrderCreated'),
    order_id: id,
    user_id: id,
    /** At most 50 lines: inventory reserves them all in one DynamoDB transaction (100 items at most). */
    items: z.array(OrderLineSchema).check(z.minLength(1), z.maxLength(MAX_ORDER_LINES)),
    amount: money,
    currency: CurrencySchema,
    payment_method: PaymentMethodSchema,
  })
  .check(withinCurrencyLimits);

export const PAYMENT_STATUSES = ['paid', 'declined', 'refunded'] as const;

export const BillingOutcomeSchema = z
  .looseObject({
    ...envelope,
    event_type: z.literal('BillingOutcome'),
    order_id: id,
    payment_status: z.enum(PAYMENT_STATUSES),
    transaction_id: id,
    amount: money,
    currency: CurrencySchema,
    /** Present on `paid`, so that inventory and shipping need not ask the order service. */
    items: z.optional(z.array(OrderLineSchema).check(z.minLength(1), z.maxLength(MAX_ORDER_LINES))),
    /** Why a payment was declined or refunded. */
    reason: z.optional(z.string()),
  })
  .check(withinCurrencyLimits);

export const StockChangedSchema = z.looseObject({
  ...envelope,
  event_type: z.literal('StockChanged'),
  product_id: ProductIdSchema,
  quantity_change: z.int(),
  /** The order that reserved the stock; absent on a restock. */
  order_id: z.optional(id),
});

export const StockReservedSchema = z.looseObject({
  ...envelope,
  event_type: z.literal('StockReserved'),
  order_id: id,
  items: z.array(OrderLineSchema).check(z.minLength(1), z.maxLength(MAX_ORDER_LINES)),
});

export const CANCELLATION_REASONS = ['out_of_stock'] as const;

export const OrderCancelledSchema = z.looseObject({
  ...envelope,
  event_type: z.literal('OrderCancelled'),
  order_id: id,
  reason: z.enum(CANCELLATION_REASONS),
});

const shipmentEvent = <T extends string>(type: T) =>
  z.looseObject({
    ...envelope,
    event_type: z.literal(type),
    order_id: id,
    shipment_id: id,
  });

export const ShipmentCreatedSchema = shipmentEvent('ShipmentCreated');
/** The shipment left the warehouse: only for a paid order whose stock is reserved. */
export const ShipmentDispatchedSchema = shipmentEvent('ShipmentDispatched');
export const ShipmentCancelledSchema = shipmentEvent('ShipmentCancelled');

/**
 * A product view in the web shop. `timestamp` is when the shopper saw the page (event time), which
 * decides the click's window; `event_id` derives from the click's identity, so that a click sent
 * twice is recognised as one (docs/design.md, "Click analytics").
 */
export const ClickSchema = z.looseObject({
  ...envelope,
  event_type: z.literal('Click'),
  user_id: id,
  product_id: id,
  /** The client's id of the click, when it sends one: a retried request carries the same id. */
  click_id: z.optional(id),
  session_id: z.optional(id),
  page: z.optional(z.string().check(z.maxLength(2048))),
  referrer: z.optional(z.string().check(z.maxLength(2048))),
});

/**
 * What every consumer writes to the dead-letter topic for a record it can never process. It is
 * bounded (MAX_DEAD_LETTER_BYTES): a large value is kept as a prefix, with the size and SHA-256 of
 * the whole, which stays in the source topic and the archive (docs/design.md, "Dead letters").
 * The size, hash and truncation flags are optional only because dead letters written before them
 * have none; every dead letter written now carries them.
 */
export const DeadLetterSchema = z.looseObject({
  ...envelope,
  event_type: z.literal('DeadLetter'),
  consumer: z.string(),
  reason: z.string().check(z.minLength(1)),
  source: z.object({
    topic: z.string(),
    partition: z.int().check(z.nonnegative()),
    offset: z.int().check(z.nonnegative()),
    timestamp: z.number(),
    /** base64, as Lambda delivered it (a prefix of it when key_truncated) */
    key: z.nullable(z.string()),
    /** base64, as Lambda delivered it; when value_truncated, the base64 of the value's first bytes */
    value: z.nullable(z.string()),
    /** Bytes of the whole value (decoded from base64) and their SHA-256 in hex. */
    value_size: z.optional(z.int().check(z.nonnegative())),
    value_sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
    value_truncated: z.optional(z.boolean()),
    key_truncated: z.optional(z.boolean()),
  }),
});

export type OrderLine = z.infer<typeof OrderLineSchema>;
export type OrderCreated = z.infer<typeof OrderCreatedSchema>;
export type BillingOutcome = z.infer<typeof BillingOutcomeSchema>;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type StockChanged = z.infer<typeof StockChangedSchema>;
export type StockReserved = z.infer<typeof StockReservedSchema>;
export type OrderCancelled = z.infer<typeof OrderCancelledSchema>;
export type ShipmentCreated = z.infer<typeof ShipmentCreatedSchema>;
export type ShipmentDispatched = z.infer<typeof ShipmentDispatchedSchema>;
export type ShipmentCancelled = z.infer<typeof ShipmentCancelledSchema>;
export type Click = z.infer<typeof ClickSchema>;
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** The events each topic carries: a record of another type on a topic is a poison record. */
export const TOPIC_SCHEMAS = {
  [TOPICS.orders.name]: z.discriminatedUnion('event_type', [OrderCreatedSchema]),
  [TOPICS.billingOutcome.name]: z.discriminatedUnion('event_type', [BillingOutcomeSchema]),
  [TOPICS.inventory.name]: z.discriminatedUnion('event_type', [StockChangedSchema]),
  [TOPICS.inventoryOutcome.name]: z.discriminatedUnion('event_type', [StockReservedSchema, OrderCancelledSchema]),
  [TOPICS.shipping.name]: z.discriminatedUnion('event_type', [
    ShipmentCreatedSchema,
    ShipmentDispatchedSchema,
    ShipmentCancelledSchema,
  ]),
  [TOPICS.clicks.name]: z.discriminatedUnion('event_type', [ClickSchema]),
  [TOPICS.deadLetter.name]: z.discriminatedUnion('event_type', [DeadLetterSchema]),
} satisfies Record<TopicName, z.ZodMiniType>;

export type TopicEvent<T extends TopicName> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;
export type AnyEvent = TopicEvent<TopicName>;

/**
 * The record key of an event on its topic, from TOPICS[...].key. A dead letter keeps its source
 * record's key (UTF-8; null when the source had none), as Lambda's on-failure records do.
 */
export function recordKey<T extends TopicName>(topic: T, event: TopicEvent<T>): string | null {
  if (topic === TOPICS.deadLetter.name) {
    const sourceKey = (event as DeadLetter).source.key;
    return sourceKey === null ? null : decodeBase64Strict(sourceKey).toString('utf8');
  }
  const field = TOPIC_BY_NAME[topic].key;
  const key = (event as Record<string, unknown>)[field];
  if (typeof key !== 'string') throw new Error(`${event.event_type} has no ${field} to key topic ${topic}`);
  return key;
}
