import { describe, expect, it } from 'vitest';
import { metricColumns } from '../../src/lib/site-layout.ts';

/** Rows of a grid of `count` items in `columns` columns, as item counts per row. */
const rows = (count: number, columns: number) =>
  Array.from({ length: Math.ceil(count / columns) }, (_, i) => Math.min(columns, count - i * columns));

describe('key metric columns', () => {
  it('never leaves one metric alone on a row beside fuller rows, wide or narrow', () => {
    for (let count = 1; count <= 12; count++) {
      const { wide, narrow } = metricColumns(count);
      for (const columns of [wide, narrow]) {
        const layout = rows(count, columns);
        if (columns > 1) expect(layout.at(-1), `${count} metrics in ${columns} columns`).toBeGreaterThan(1);
      }
    }
  });

  it('puts four metrics in two rows of two, three in one row and five in three plus two', () => {
    expect(metricColumns(4)).toEqual({ wide: 2, narrow: 2 });
    expect(metricColumns(3)).toEqual({ wide: 3, narrow: 1 });
    expect(metricColumns(5)).toEqual({ wide: 3, narrow: 1 });
  });
});
