/**
 * The value every contender caches: a product record of about 1 KB as JSON. The JSON variant has
 * no Date/Map/Set/BigInt, so JSON-only peers return exactly what they were given and every
 * contender moves the same data; the rich variant (serializer comparison) carries those types.
 */
export type JsonValue = ReturnType<typeof jsonValue>;

export function jsonValue() {
  return {
    id: 4217,
    sku: 'SKU-004217-EU',
    name: 'Stainless steel espresso machine, dual boiler, 2.2 L',
    description:
      'Dual boiler espresso machine with PID temperature control, pre-infusion, a rotary pump and a ' +
      'commercial 58 mm group head. Steam and brew boilers heat independently, so milk drinks need no wait.',
    price: { amount: 129_900, currency: 'EUR', vatRate: 0.19, discounted: false },
    createdAt: '2025-03-14T09:26:53.589Z',
    updatedAt: '2026-11-02T17:45:12.004Z',
    tags: ['espresso', 'dual-boiler', 'pid', 'stainless', 'prosumer', 'rotary-pump'],
    categories: [
      { id: 12, slug: 'coffee', name: 'Coffee' },
      { id: 31, slug: 'espresso-machines', name: 'Espresso machines' },
    ],
    attributes: { color: 'steel', widthMm: 310, depthMm: 450, heightMm: 400, weightKg: 24.5, voltage: 230 },
    stock: [
      { warehouse: 'FRA-1', quantity: 14, reserved: 2 },
      { warehouse: 'AMS-2', quantity: 3, reserved: 0 },
      { warehouse: 'WAW-1', quantity: 0, reserved: 0 },
    ],
    rating: { average: 4.62, count: 1387, histogram: [12, 19, 41, 260, 1055] },
    views: 9_007_199,
    active: true,
    supersededBy: null,
  };
}

export type RichValue = ReturnType<typeof richValue>;

/** The same record with the types JSON cannot carry: Dates, a Map, a Set and a BigInt. */
export function richValue() {
  const base = jsonValue();
  return {
    ...base,
    createdAt: new Date(base.createdAt),
    updatedAt: new Date(base.updatedAt),
    tags: new Set(base.tags),
    attributes: new Map<string, string | number>(Object.entries(base.attributes)),
    views: 9_007_199_254_740_993n,
  };
}
