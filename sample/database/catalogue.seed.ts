/** Demo categories, inserted in this order (ids 1..n on an empty database). */
export const SEED_CATEGORIES = ['Lighting', 'Furniture', 'Kitchen', 'Garden'] as const;

/** Demo products: [name, price, index of the category in SEED_CATEGORIES]. */
export const SEED_PRODUCTS: readonly [string, number, number][] = [
  ['Desk lamp', 34.9, 0],
  ['Floor lamp', 89, 0],
  ['Pendant light', 59.5, 0],
  ['LED strip 5 m', 24.99, 0],
  ['Reading light', 19.9, 0],
  ['Oak desk', 349, 1],
  ['Office chair', 199, 1],
  ['Bookshelf', 129, 1],
  ['Side table', 49.9, 1],
  ['Sofa, 3 seats', 899, 1],
  ['Chef knife', 64, 2],
  ['Cast iron pan', 45.5, 2],
  ['Kettle', 39.99, 2],
  ['Espresso maker', 249, 2],
  ['Cutting board', 22, 2],
  ['Garden hose 20 m', 29.9, 3],
  ['Pruning shears', 18.5, 3],
  ['Bird feeder', 15, 3],
  ['Deck chair', 79, 3],
  ['Watering can', 12.9, 3],
];
