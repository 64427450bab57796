import { useState, type FormEvent } from 'react';
import { paths } from '../paths';
import { navigate, useLocation } from '../router';

/**
 * The header's search field: Enter opens the search page with the query. Not shown on the
 * search page itself, whose own field (with the filters) takes over.
 */
export function SearchBox() {
  const { pathname } = useLocation();
  const [text, setText] = useState('');
  if (pathname === '/search') return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    if (!q) return;
    setText('');
    navigate(paths.search({ q }));
  };
  return (
    <form role="search" aria-label="Search Agora" className="search-box" onSubmit={submit}>
      <input
        type="search"
        name="q"
        aria-label="Search Agora"
        placeholder="Search posts, pictures, people"
        value={text}
        maxLength={256}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="secondary">
        Search
      </button>
    </form>
  );
}
