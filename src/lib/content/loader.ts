/**
 * Astro's glob loader, reading each entry's data as the rest of the project does
 * (frontmatter.ts: gray-matter with the project's `yaml`, YAML 1.2) instead of the js-yaml its
 * markdown and MDX entry types use, so `astro build` and `aircover check`/`build` see the same
 * values: `2027-13-05` is a string the schema refuses in both, never 2028-01-05 in one. The glob
 * loader still finds, renders and watches the files; only the data it validates is ours.
 *
 * A draft never enters Astro's store: no page can build it, and no bundle can carry its text.
 * The partner page renders on demand, so the server bundle holds the store; before, only the
 * prerendering bundle did, which Astro deletes.
 */
import { relative } from 'node:path';
import { glob, type Loader } from 'astro/loaders';
import { FrontmatterError, readDataFile } from './frontmatter.ts';

type GlobOptions = Parameters<typeof glob>[0];

type Store = Parameters<Loader['load']>[0]['store'];

/** A draft post (`draft: true`) or paper (`status: draft`). */
function isDraft(data: unknown): boolean {
  const fields = data as { draft?: unknown; status?: unknown } | undefined;
  return fields?.draft === true || fields?.status === 'draft';
}

/** The store, refusing drafts: one an earlier build kept is forgotten when the loader asks for it. */
function withoutDrafts(store: Store): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'set')
        return (entry: Parameters<Store['set']>[0]) => (isDraft(entry.data) ? false : target.set(entry));
      if (property === 'get')
        return (id: string) => {
          const entry = target.get(id);
          if (entry && isDraft(entry.data)) {
            target.delete(id);
            return undefined;
          }
          return entry;
        };
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function contentGlob(options: GlobOptions): Loader {
  const inner = glob(options);
  return {
    ...inner,
    name: 'aircover-content-glob',
    load: (context) =>
      inner.load({
        ...context,
        store: withoutDrafts(context.store),
        parseData: async <TData extends Record<string, unknown>>(
          props: Parameters<typeof context.parseData<TData>>[0],
        ) => {
          if (!props.filePath) return context.parseData(props);
          let data: TData;
          try {
            // What the entry's data is, read our way; the schema (parseData) decides its type.
            data = readDataFile(props.filePath).data as TData;
          } catch (cause) {
            const line = cause instanceof FrontmatterError && cause.line ? `:${cause.line}` : '';
            throw new Error(
              `${relative(process.cwd(), props.filePath)}${line}: cannot read frontmatter: ${(cause as Error).message}`,
            );
          }
          return context.parseData({ ...props, data });
        },
      }),
  };
}
