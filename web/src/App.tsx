import { useMutation } from 'urql';
import { graphql } from './__generated__';
import { PanelPage } from './pages/PanelPage';
import { Panels } from './pages/Panels';
import { PostPage } from './pages/PostPage';
import { SignIn } from './pages/SignIn';
import { href, parseRoute, useHash } from './route';
import { signOut, storedRefreshToken, useSessionUser } from './session';

const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export function App() {
  const route = parseRoute(useHash());
  return (
    <>
      <header>
        <a href={href.panels()} className="brand">
          Agora
        </a>
        <SessionBar />
      </header>
      <main>
        {route.page === 'signin' && <SignIn />}
        {route.page === 'panels' && <Panels />}
        {route.page === 'panel' && <PanelPage key={route.slug} slug={route.slug} />}
        {route.page === 'post' && <PostPage key={route.id} id={route.id} />}
      </main>
    </>
  );
}

function SessionBar() {
  const user = useSessionUser();
  const [, logout] = useMutation(LogoutMutation);
  if (!user) return <a href={href.signin()}>Sign in or register</a>;

  const signOutEverywhere = async () => {
    const refreshToken = storedRefreshToken();
    // Ends the session on the server too; signed out locally whatever it answers.
    if (refreshToken) await logout({ refreshToken });
    signOut();
  };

  return (
    <span className="session">
      Signed in as <strong data-testid="signed-in-handle">@{user.handle}</strong>
      <button type="button" onClick={signOutEverywhere}>
        Sign out
      </button>
    </span>
  );
}
