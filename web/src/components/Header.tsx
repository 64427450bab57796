import { useEffect, useId, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../__generated__';
import { mainNav, userMenu } from '../nav';
import { paths } from '../paths';
import { Link, useLocation } from '../router';
import { signOut, storedRefreshToken, useSession } from '../session';
import { NotificationsBell } from './NotificationsBell';
import { SearchBox } from './SearchBox';

const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

/** The site header: brand, the main sections, the notifications slot and the user's menu. */
export function Header() {
  const session = useSession();
  const { pathname } = useLocation();
  const current = (to: string) =>
    to === '/' ? pathname === '/' || pathname.startsWith('/p/') : pathname.startsWith(to);
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link to={paths.panels()} className="brand">
          Agora
        </Link>
        <nav aria-label="Main" className="main-nav">
          <ul>
            {mainNav
              .filter((entry) => entry.show?.(session) ?? true)
              .map((entry) => (
                <li key={entry.to}>
                  <Link to={entry.to} aria-current={current(entry.to) ? 'page' : undefined}>
                    {entry.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <SearchBox />
        <div className="header-end">
          {session.user && <NotificationsBell />}
          {session.user ? (
            <UserMenu handle={session.user.handle} displayName={session.user.displayName} />
          ) : (
            <Link to={paths.signIn(pathname === '/signin' ? undefined : pathname)} className="button">
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}

/** A disclosure: the button shows the user, the list opens under it; Escape or a click outside closes it. */
function UserMenu({ handle, displayName }: { handle: string; displayName: string }) {
  const [open, setOpen] = useState(false);
  const [, logout] = useMutation(LogoutMutation);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const { href } = useLocation();

  useEffect(() => setOpen(false), [href]);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
    };
  }, [open]);

  const signOutHere = async () => {
    const refreshToken = storedRefreshToken();
    // Ends the session on the server too; signed out locally whatever it answers.
    if (refreshToken) await logout({ refreshToken });
    signOut();
  };

  return (
    <div className="user-menu" ref={root}>
      <button
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {(displayName || handle).slice(0, 1).toUpperCase()}
        </span>
        <span data-testid="signed-in-handle">@{handle}</span>
      </button>
      <ul id={id} hidden={!open} className="user-menu-list">
        <li>
          <Link to={paths.user(handle)}>Your profile</Link>
        </li>
        {userMenu.map((entry) => (
          <li key={entry.to}>
            <Link to={entry.to}>{entry.label}</Link>
          </li>
        ))}
        <li>
          <button type="button" onClick={signOutHere}>
            Sign out
          </button>
        </li>
      </ul>
    </div>
  );
}
