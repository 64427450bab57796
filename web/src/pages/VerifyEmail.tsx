import { useEffect } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../__generated__';
import type { PageProps } from '../router';
import { Link, PageHeading } from '../router';
import { describeError } from '../errors';
import { paths } from '../paths';

const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

/** The verification e-mail's link lands here (signed in or not): the address is confirmed at once. */
export default function VerifyEmail({ search }: PageProps) {
  const token = search.get('token') ?? '';
  const [result, verify] = useMutation(VerifyEmailMutation);
  useEffect(() => {
    if (token) void verify({ token });
  }, [token, verify]);
  return (
    <>
      <PageHeading>Confirm your e-mail address</PageHeading>
      {!token ? (
        <p className="notice error">This link has no token: open the link from the e-mail as it is.</p>
      ) : result.fetching || (!result.data && !result.error) ? (
        <p role="status">Confirming…</p>
      ) : result.data?.verifyEmail ? (
        <p className="notice" role="status">
          Thank you: your address is confirmed, and notification e-mails can reach you now. Choose which ones in your{' '}
          <Link to={paths.notificationSettings()}>notification settings</Link>.
        </p>
      ) : (
        <p className="notice error" role="alert">
          {describeError(result.error).general.join(' ') || 'This link does not work.'} You can ask for a new link in
          your <Link to={paths.notificationSettings()}>notification settings</Link>.
        </p>
      )}
    </>
  );
}
