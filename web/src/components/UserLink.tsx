import { paths } from '../paths';
import { Link } from '../router';

/** An author's name, linked to their profile. */
export function UserLink({ user }: { user: { handle: string; displayName: string } }) {
  return (
    <Link to={paths.user(user.handle)} className="user-link">
      {user.displayName || `@${user.handle}`}
    </Link>
  );
}
