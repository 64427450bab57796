import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import type { NotificationKind } from '../__generated__/graphql';
import { Skeleton } from '../components/Skeleton';
import { FormErrors } from '../components/form';
import { describeError } from '../errors';
import { paths } from '../paths';
import { Link, PageHeading } from '../router';
import { useSessionUser } from '../session';

const SettingsQuery = graphql(`
  query MyNotificationSettings {
    me {
      id
      notificationSettings {
        dailyDigest
        emailStatus
        kinds {
          kind
          inApp
          email
        }
      }
    }
  }
`);

const UpdateSettingsMutation = graphql(`
  mutation UpdateNotificationSettings($input: NotificationSettingsInput!) {
    updateNotificationSettings(input: $input) {
      dailyDigest
      emailStatus
      kinds {
        kind
        inApp
        email
      }
    }
  }
`);

const ResendMutation = graphql(`
  mutation RequestEmailVerification {
    requestEmailVerification
  }
`);

const KIND_LABEL: Record<string, string> = {
  REPLY: 'Replies to your posts and comments',
  NEW_FOLLOWER: 'New followers',
  PICTURE_PROCESSED: 'Your pictures, once processed',
};

const EMAIL_STATUS: Record<string, string> = {
  UNKNOWN: 'We do not know your address yet.',
  UNVERIFIED: 'Your address is not confirmed yet: until you open the link we sent you, we send no other e-mail.',
  VERIFIED: 'Your address is confirmed.',
  SUPPRESSED: 'Mail to your address was refused, so we stopped sending e-mail to it.',
};

/** Per kind: in the app, by e-mail, or neither; and the daily digest. */
export default function NotificationSettings() {
  const user = useSessionUser();
  const [{ data, fetching, error }] = useQuery({ query: SettingsQuery, pause: !user, requestPolicy: 'network-only' });
  const [saving, update] = useMutation(UpdateSettingsMutation);
  const [resent, resend] = useMutation(ResendMutation);
  const [saved, setSaved] = useState(false);
  if (!user) {
    return (
      <>
        <PageHeading>Notification settings</PageHeading>
        <p className="notice">
          <Link to={paths.signIn(paths.notificationSettings())}>Sign in</Link> to change your notification settings.
        </p>
      </>
    );
  }
  if (fetching && !data) return <Skeleton lines={5} />;
  const settings = saving.data?.updateNotificationSettings ?? data?.me?.notificationSettings;
  if (!settings) return <FormErrors messages={describeError(error).general} />;
  const change = async (input: {
    kinds?: { kind: NotificationKind; inApp?: boolean; email?: boolean }[];
    dailyDigest?: boolean;
  }) => {
    setSaved(false);
    const outcome = await update({ input });
    if (outcome.data) setSaved(true);
  };
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.notifications()}>← Notifications</Link>
      </p>
      <PageHeading>Notification settings</PageHeading>
      <section className="card" aria-labelledby="email-status">
        <h2 id="email-status">E-mail</h2>
        <p>{EMAIL_STATUS[settings.emailStatus]}</p>
        {settings.emailStatus === 'UNVERIFIED' && (
          <>
            <button type="button" className="secondary" disabled={resent.fetching} onClick={() => void resend({})}>
              Send the link again
            </button>
            {resent.data?.requestEmailVerification && (
              <p className="notice" role="status">
                Sent: check your mailbox.
              </p>
            )}
            <FormErrors messages={resent.error ? describeError(resent.error).general : []} />
          </>
        )}
      </section>
      <div className="card">
        <table className="settings-table">
          <caption className="visually-hidden">Where each kind of notification reaches you</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">In the app</th>
              <th scope="col">By e-mail</th>
            </tr>
          </thead>
          <tbody>
            {settings.kinds.map((k) => (
              <tr key={k.kind}>
                <th scope="row">{KIND_LABEL[k.kind] ?? k.kind}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${KIND_LABEL[k.kind]}: in the app`}
                    checked={k.inApp}
                    disabled={saving.fetching}
                    onChange={(e) => void change({ kinds: [{ kind: k.kind, inApp: e.target.checked }] })}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${KIND_LABEL[k.kind]}: by e-mail`}
                    checked={k.email}
                    disabled={saving.fetching}
                    onChange={(e) => void change({ kinds: [{ kind: k.kind, email: e.target.checked }] })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <label className="checkbox card">
        <input
          type="checkbox"
          checked={settings.dailyDigest}
          disabled={saving.fetching}
          onChange={(e) => void change({ dailyDigest: e.target.checked })}
        />
        One e-mail a day (at 08:00 UTC) with everything, instead of an e-mail every few minutes
      </label>
      <FormErrors messages={saving.error ? describeError(saving.error).general : []} />
      {saved && (
        <p className="notice" role="status">
          Saved.
        </p>
      )}
    </>
  );
}
