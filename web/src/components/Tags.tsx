import { paths } from '../paths';
import { Link } from '../router';

/** A post's or picture's tags; picture tags link to the gallery filtered by them. */
export function Tags({ tags, linkTo }: { tags: readonly string[]; linkTo?: 'pictures' }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          {linkTo === 'pictures' ? (
            <Link className="tag" to={paths.pictures({ tag })}>
              #{tag}
            </Link>
          ) : (
            <span className="tag">#{tag}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
