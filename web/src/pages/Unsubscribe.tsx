import { useMutation } from 'urql';
import { graphql } from '../__generated__';
import type { PageProps } from '../router';
import { Link, PageHeading } from '../router';
import { describeError } from '../errors';
import { paths } from '../paths';

const UnsubscribeMutation = graphql(`
  mutation Unsubscribe($token: String!) {
    unsubscribe(token: $token)
  }
`);

const KIND_EMAILS: Record<string, string> = {
  REPLY: 'replies',
  NEW_FOLLOWER: 'new followers',
  PICTURE_PROCESSED: 'your pictures',
};

/**
 * An e-mail's unsubscribe link lands here; it works signed out. One press confirms (so a mail
 * scanner that opens links unsubscribes no one).
 */
export default function Unsubscribe({ search }: PageProps) {
  const token = search.get('token') ?? '';
  const [result, unsubscribe] = useMutation(UnsubscribeMutation);
  const done = result.data?.unsubscribe;
  return (
    <>
      <PageHeading>Unsubscribe</PageHeading>
      {done ? (
        <p className="notice" role="status">
          Done: no more e-mails about {KIND_EMAILS[done] ?? done.toLowerCase()}. You still see them in the app; change
          this any time in your <Link to={paths.notificationSettings()}>notification settings</Link>.
        </p>
      ) : (
        <>
          <p>Stop the e-mails this link came with?</p>
          <button type="button" disabled={!token || result.fetching} onClick={() => void unsubscribe({ token })}>
            {result.fetching ? 'Unsubscribing…' : 'Unsubscribe'}
          </button>
          {result.error && (
            <p className="notice error" role="alert">
              {describeError(result.error).general.join(' ')}
            </p>
          )}
        </>
      )}
    </>
  );
}
