// The components an MDX white paper or post may use without importing them.
import Callout from './Callout.astro';
import Figure from './Figure.astro';
import KeyMetric from './KeyMetric.astro';
import PullQuote from './PullQuote.astro';
import ResultsTable from './ResultsTable.astro';

export const mdxComponents = { Callout, Figure, KeyMetric, PullQuote, ResultsTable };
