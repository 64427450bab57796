import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../__generated__';
import type { SearchQuery as SearchData, SearchType } from '../__generated__/graphql';
import { EmptyState } from '../components/EmptyState';
import { FormErrors } from '../components/form';
import { Highlight } from '../components/Highlight';
import { LoadMore } from '../components/LoadMore';
import { RelativeTime } from '../components/RelativeTime';
import { Skeleton } from '../components/Skeleton';
import { useConnection } from '../connection';
import { describeError } from '../errors';
import { paths } from '../paths';
import { Link, PageHeading, navigate, type PageProps } from '../router';

const SearchQuery = graphql(`
  query Search($query: String!, $types: [SearchType!], $tags: [String!], $first: Int!, $after: String) {
    search(query: $query, types: $types, tags: $tags, first: $first, after: $after) {
      totalCount
      correctedQuery
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        highlight
        node {
          __typename
          ... on Post {
            id
            title
            tags
            createdAt
            author {
              ...UserNameFields
            }
          }
          ... on Comment {
            id
            createdAt
            post {
              id
              title
            }
            author {
              ...UserNameFields
            }
          }
          ... on Picture {
            id
            title
            tags
            createdAt
            owner {
              ...UserNameFields
            }
          }
          ... on User {
            id
            handle
            displayName
          }
        }
      }
    }
  }
`);

const TagSuggestionsQuery = graphql(`
  query TagSuggestions($prefix: String!, $first: Int) {
    tagSuggestions(prefix: $prefix, first: $first) {
      tag
      count
    }
  }
`);

type Edge = SearchData['search']['edges'][number];
type Result = NonNullable<Edge['node']>;

const TYPES: { type: SearchType; label: string }[] = [
  { type: 'POST', label: 'Posts' },
  { type: 'COMMENT', label: 'Comments' },
  { type: 'PICTURE', label: 'Pictures' },
  { type: 'USER', label: 'People' },
];
const KIND: Record<Result['__typename'], string> = {
  Post: 'Post',
  Comment: 'Comment',
  Picture: 'Picture',
  User: 'Person',
};
const MAX_QUERY = 256;
const MAX_TAGS = 10;
/** Typing waits this long before searching (the last word matches as a prefix meanwhile). */
const TYPING_MS = 300;

const normalizeTag = (tag: string) => tag.trim().toLowerCase().replace(/\s+/g, ' ');

/** Search: a query (typed here or in the header), kinds of result and tags to keep, results as they come. */
export default function Search({ search }: PageProps) {
  const q = (search.get('q') ?? '').trim();
  const types = TYPES.map((t) => t.type).filter((type) => search.getAll('type').includes(type));
  const tags = [...new Set(search.getAll('tag').map(normalizeTag).filter(Boolean))].slice(0, MAX_TAGS);
  const go = (next: { q?: string; types?: SearchType[]; tags?: string[] }, replace = false) =>
    navigate(paths.search({ q, types, tags, ...next }), { replace });

  return (
    <>
      <PageHeading title={q ? `Search: ${q}` : 'Search'}>Search</PageHeading>
      <SearchForm q={q} onQuery={(text) => go({ q: text }, true)} />
      <div className="filters search-filters">
        <div role="group" aria-labelledby="search-kinds" className="type-filters">
          <span id="search-kinds" className="group-label">
            Show only
          </span>
          {TYPES.map(({ type, label }) => {
            const on = types.includes(type);
            return (
              <button
                key={type}
                type="button"
                className="toggle"
                aria-pressed={on}
                onClick={() => go({ types: on ? types.filter((t) => t !== type) : [...types, type] })}
              >
                {label}
              </button>
            );
          })}
        </div>
        <TagFilter tags={tags} onChange={(next) => go({ tags: next })} />
      </div>
      {q ? <Results q={q} types={types} tags={tags} onClearFilters={() => go({ types: [], tags: [] })} /> : <Start />}
    </>
  );
}

/** The query field: results follow the typing (after a short pause); Enter searches at once. */
function SearchForm({ q, onQuery }: { q: string; onQuery: (text: string) => void }) {
  const [text, setText] = useState(q);
  const pushed = useRef(q);
  const latest = useRef(onQuery);
  latest.current = onQuery;
  // A query from elsewhere (the header's box, back and forward) replaces what is typed here.
  useEffect(() => {
    if (q !== pushed.current) {
      pushed.current = q;
      setText(q);
    }
  }, [q]);
  useEffect(() => {
    const trimmed = text.trim();
    if (trimmed === pushed.current) return;
    const timer = setTimeout(() => {
      pushed.current = trimmed;
      latest.current(trimmed);
    }, TYPING_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    pushed.current = text.trim();
    onQuery(text.trim());
  };
  return (
    <form role="search" aria-label="Search" className="search-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor="search-query">Search posts, comments, pictures and people</label>
        <input
          id="search-query"
          type="search"
          value={text}
          maxLength={MAX_QUERY}
          autoComplete="off"
          onChange={(e) => setText(e.target.value)}
          aria-describedby="search-syntax"
        />
        <p className="field-hint" id="search-syntax">
          <span>
            Use "quotes" for a phrase, <kbd>or</kbd> between alternatives, and -word to leave a word out.
          </span>
        </p>
      </div>
      <button type="submit">Search</button>
    </form>
  );
}

/** Tags to keep: typed with suggestions (the most used first), shown as removable chips. */
function TagFilter({ tags, onChange }: { tags: string[]; onChange: (tags: string[]) => void }) {
  const [text, setText] = useState('');
  const listId = useId();
  const prefix = normalizeTag(text);
  const [suggestions] = useQuery({ query: TagSuggestionsQuery, variables: { prefix, first: 8 }, pause: !prefix });
  const add = (event: FormEvent) => {
    event.preventDefault();
    const tag = normalizeTag(text);
    if (tag && !tags.includes(tag) && tags.length < MAX_TAGS) onChange([...tags, tag]);
    setText('');
  };
  return (
    <div className="tag-filter">
      <form onSubmit={add} className="tag-add" aria-label="Keep results with a tag">
        <div className="field">
          <label htmlFor="search-tag">With the tag</label>
          <input
            id="search-tag"
            list={listId}
            value={text}
            maxLength={40}
            autoComplete="off"
            placeholder="e.g. astronomy"
            onChange={(e) => setText(e.target.value)}
          />
          <datalist id={listId}>
            {(prefix ? (suggestions.data?.tagSuggestions ?? []) : []).map((s) => (
              <option key={s.tag} value={s.tag}>
                {`${s.tag} (${s.count})`}
              </option>
            ))}
          </datalist>
        </div>
        <button type="submit" className="secondary" disabled={!prefix || tags.length >= MAX_TAGS}>
          Add tag
        </button>
      </form>
      {tags.length > 0 && (
        <ul className="tags chosen-tags" aria-label="Tags kept">
          {tags.map((tag) => (
            <li key={tag}>
              <button
                type="button"
                className="tag removable"
                aria-label={`Remove the tag ${tag}`}
                onClick={() => onChange(tags.filter((t) => t !== tag))}
              >
                #{tag} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Before a query: what search does, and the most used tags to start from. */
function Start() {
  const [popular] = useQuery({ query: TagSuggestionsQuery, variables: { prefix: '', first: 12 } });
  const tags = popular.data?.tagSuggestions ?? [];
  return (
    <EmptyState title="Type what you are looking for.">
      <p>Words find posts, comments, picture titles and people by name or bio; a small typo is forgiven.</p>
      {tags.length > 0 && (
        <>
          <p>Or start from a popular tag:</p>
          <ul className="tags popular-tags" aria-label="Popular tags">
            {tags.map(({ tag, count }) => (
              <li key={tag}>
                <Link className="tag" to={paths.search({ q: tag, tags: [tag] })}>
                  #{tag} <span className="count">{count}</span>
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </EmptyState>
  );
}

function Results({
  q,
  types,
  tags,
  onClearFilters,
}: {
  q: string;
  types: SearchType[];
  tags: string[];
  onClearFilters: () => void;
}) {
  const results = useConnection(
    SearchQuery,
    { query: q, types: types.length > 0 ? types : null, tags: tags.length > 0 ? tags : null },
    (data) => ({
      pageInfo: data.search.pageInfo,
      // Results whose owner hid them a moment ago (null) are left out.
      edges: data.search.edges.flatMap((edge) => (edge.node ? [{ node: { id: edge.node.id, edge } }] : [])),
    }),
    { pageSize: 20 },
  );
  const total = results.data?.search.totalCount ?? 0;
  const corrected = results.data?.search.correctedQuery;
  const filtered = types.length > 0 || tags.length > 0;
  if (results.loading) return <Skeleton lines={2} count={4} />;
  if (results.error && !results.data) return <FormErrors messages={describeError(results.error).general} />;
  return (
    <section aria-label="Results">
      <p className="result-count" role="status">
        {total === 0 ? 'No results' : total === 1 ? '1 result' : `${total.toLocaleString()} results`}
        {corrected && (
          <>
            {' '}
            for <strong>{corrected}</strong> (nothing matched “{q}”)
          </>
        )}
      </p>
      {total === 0 && (
        <EmptyState title={`Nothing matches “${q}”${filtered ? ' with these filters' : ''}.`}>
          <p>Check the spelling, use fewer or other words{filtered ? ', or show everything' : ''}.</p>
          {filtered && (
            <button type="button" className="secondary" onClick={onClearFilters}>
              Remove the filters
            </button>
          )}
        </EmptyState>
      )}
      <ol className="list search-results">
        {results.nodes.map(({ edge }) => (
          <ResultItem key={edge.node!.id} edge={edge} />
        ))}
      </ol>
      {results.error && <FormErrors messages={describeError(results.error).general} />}
      {results.hasMore && (
        <LoadMore label="More results" onMore={results.loadMore} loading={results.loadingMore} auto />
      )}
    </section>
  );
}

/** One result: what it is, a link to it, who and when, and the passage that matched. */
function ResultItem({ edge }: { edge: Edge }) {
  const node = edge.node!;
  const link = (() => {
    switch (node.__typename) {
      case 'Post':
        return { to: paths.post(node.id), title: node.title };
      case 'Comment':
        return node.post
          ? { to: `${paths.post(node.post.id)}#comment-${node.id}`, title: `Comment on “${node.post.title}”` }
          : { to: undefined, title: 'Comment' };
      case 'Picture':
        return { to: paths.picture(node.id), title: node.title };
      case 'User':
        return { to: paths.user(node.handle), title: `${node.displayName || node.handle} (@${node.handle})` };
    }
  })();
  const who = node.__typename === 'Picture' ? node.owner : node.__typename === 'User' ? null : node.author;
  return (
    <li data-testid="search-result" data-kind={node.__typename}>
      <span className="kind">{KIND[node.__typename]}</span>
      {link.to ? (
        <Link className="item-title" to={link.to}>
          {link.title}
        </Link>
      ) : (
        <span className="item-title">{link.title}</span>
      )}
      {who && (
        <p className="meta">
          by <Link to={paths.user(who.handle)}>{who.displayName || `@${who.handle}`}</Link>
          {'createdAt' in node && (
            <>
              {' '}
              · <RelativeTime iso={node.createdAt} />
            </>
          )}
        </p>
      )}
      <Highlight html={edge.highlight} />
      {(node.__typename === 'Post' || node.__typename === 'Picture') && node.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {node.tags.map((tag) => (
            <li key={tag}>
              <span className="tag">#{tag}</span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
