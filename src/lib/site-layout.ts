/**
 * Layout decisions the pages make from data, kept out of the templates so they can be tested.
 */

/**
 * Columns for a grid of key metrics so that no row holds a lone metric: `wide` on a roomy
 * screen (at most 3, since a metric such as "340 k EUR" needs about 10rem), `narrow` on a
 * phone (2 when the count is even, else 1, a plain list). 4 → 2 + 2, 5 → 3 + 2, 8 → 3 + 3 + 2;
 * a count that leaves one over with both 3 and 2 columns (7, 13, …) becomes a list.
 */
export function metricColumns(count: number): { wide: 1 | 2 | 3; narrow: 1 | 2 } {
  const narrow = count % 2 === 0 ? 2 : 1;
  if (count <= 3) return { wide: Math.max(1, count) as 1 | 2 | 3, narrow };
  for (const wide of [3, 2] as const) if (count % wide !== 1) return { wide, narrow };
  return { wide: 1, narrow };
}
