import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import { FormErrors, TextField, useForm } from '../components/form';
import { PageError } from '../components/PageError';
import { Skeleton } from '../components/Skeleton';
import { LIMITS, lengthProblem } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading } from '../router';
import { updateSessionUser, useSessionUser } from '../session';

const MeQuery = graphql(`
  query MyProfile {
    me {
      ...UserNameFields
      bio
    }
  }
`);

const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      ...UserNameFields
      bio
    }
  }
`);

/** The signed-in user's display name and bio. */
export default function EditProfile() {
  const user = useSessionUser();
  const [{ data, fetching, error }] = useQuery({ query: MeQuery, pause: !user, requestPolicy: 'network-only' });
  if (!user) {
    return (
      <>
        <PageHeading>Edit profile</PageHeading>
        <p className="notice">
          <Link to={paths.signIn(paths.editProfile())}>Sign in</Link> to edit your profile.
        </p>
      </>
    );
  }
  if (fetching && !data) return <Skeleton lines={4} />;
  if (!data?.me) return <PageError error={error} />;
  return <ProfileForm me={data.me} />;
}

function ProfileForm({ me }: { me: { handle: string; displayName: string; bio: string } }) {
  const [result, updateProfile] = useMutation(UpdateProfileMutation);
  const [displayName, setDisplayName] = useState(me.displayName);
  const [bio, setBio] = useState(me.bio);
  const [saved, setSaved] = useState(false);
  const form = useForm({
    fields: ['displayName', 'bio'],
    validate: () => ({
      displayName: lengthProblem('Display name', displayName, LIMITS.displayName),
      bio: lengthProblem('Bio', bio, LIMITS.bio),
    }),
  });
  const submit = form.submit(async () => {
    setSaved(false);
    const outcome = await updateProfile({ input: { displayName: displayName.trim(), bio: bio.trim() } });
    if (outcome.data) {
      updateSessionUser({ displayName: outcome.data.updateProfile.displayName });
      setSaved(true);
    }
    return outcome;
  });
  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.user(me.handle)}>← Your profile</Link>
      </p>
      <PageHeading>Edit profile</PageHeading>
      <form ref={form.formRef} onSubmit={submit} aria-label="Edit profile" className="card" noValidate>
        <TextField
          label="Display name"
          value={displayName}
          onChange={setDisplayName}
          max={LIMITS.displayName.max}
          hint={`${LIMITS.displayName.min} to ${LIMITS.displayName.max} characters`}
          autoComplete="nickname"
          {...form.field('displayName')}
        />
        <TextField
          label="Bio"
          value={bio}
          onChange={setBio}
          multiline
          rows={5}
          max={LIMITS.bio.max}
          hint="A few words about you; optional"
          {...form.field('bio')}
        />
        <FormErrors messages={form.general} />
        {saved && (
          <p className="notice" role="status">
            Saved. <Link to={paths.user(me.handle)}>See your profile</Link>
          </p>
        )}
        <button type="submit" disabled={result.fetching}>
          {result.fetching ? 'Saving…' : 'Save profile'}
        </button>
      </form>
    </>
  );
}
