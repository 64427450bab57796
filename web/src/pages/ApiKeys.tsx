import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../__generated__';
import { ConfirmButton } from '../components/ConfirmButton';
import { EmptyState } from '../components/EmptyState';
import { FormErrors, TextField, useForm } from '../components/form';
import { PageError } from '../components/PageError';
import { RelativeTime } from '../components/RelativeTime';
import { Skeleton } from '../components/Skeleton';
import { describeError } from '../errors';
import { lengthProblem } from '../limits';
import { paths } from '../paths';
import { Link, PageHeading } from '../router';
import { useSessionUser } from '../session';

const ApiKeysQuery = graphql(`
  query MyApiKeys {
    apiKeys {
      id
      name
      prefix
      createdAt
      lastUsedAt
      expiresAt
    }
  }
`);

const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey {
        id
        name
        prefix
        createdAt
        lastUsedAt
        expiresAt
      }
    }
  }
`);

const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id)
  }
`);

/** createApiKey's rules (schema/auth.graphql): a name of 1 to 50 characters, an expiry within two years. */
const NAME = { min: 1, max: 50 };
const MAX_LIFETIME_MS = 2 * 365 * 24 * 3600_000;

/** The date input's value (YYYY-MM-DD, local) of `date`. */
const dateValue = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** A key chosen to expire on a day stops working at that day's end (local time). */
const endOfDay = (value: string) => new Date(`${value}T23:59:59`);

function expiryProblem(value: string, now: number): string | undefined {
  if (!value) return undefined;
  const date = endOfDay(value);
  if (Number.isNaN(date.getTime())) return 'Enter a date like 2027-01-31.';
  if (date.getTime() <= now) return 'Choose a day in the future.';
  if (date.getTime() - now > MAX_LIFETIME_MS) return 'A key can live at most two years: choose an earlier day.';
  return undefined;
}

type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt?: string | null;
  expiresAt?: string | null;
};

/** The signed-in user's API keys, for third-party clients: list, create (shown once), revoke. */
export default function ApiKeys() {
  const user = useSessionUser();
  const [{ data, fetching, error }, reload] = useQuery({
    query: ApiKeysQuery,
    pause: !user,
    requestPolicy: 'network-only',
  });
  const [created, setCreated] = useState<{ key: string; name: string }>();
  if (!user) {
    return (
      <>
        <PageHeading>API keys</PageHeading>
        <p className="notice">
          <Link to={paths.signIn(paths.apiKeys())}>Sign in</Link> to manage your API keys.
        </p>
      </>
    );
  }
  if (fetching && !data) return <Skeleton lines={5} />;
  if (!data) return <PageError error={error} />;
  const refresh = () => reload({ requestPolicy: 'network-only' });
  return (
    <>
      <PageHeading>API keys</PageHeading>
      <p>
        An API key lets a program of yours use Agora’s API as you: send it in an <code>x-api-key</code> header (or as{' '}
        <code>Authorization: Bearer …</code>) with each request to <code>/graphql</code>. Anyone who has the key can act
        as you, so keep it secret and revoke it when you no longer need it.
      </p>
      {created && <NewKey created={created} onDone={() => setCreated(undefined)} />}
      <CreateKeyForm
        onCreated={(key, name) => {
          setCreated({ key, name });
          refresh();
        }}
      />
      <section aria-labelledby="your-keys">
        <h2 id="your-keys">Your keys</h2>
        {data.apiKeys.length === 0 ? (
          <EmptyState title="You have no API keys">
            <p>Create one above to use the API from your own programs.</p>
          </EmptyState>
        ) : (
          <ul className="list api-keys">
            {data.apiKeys.map((key) => (
              <KeyItem key={key.id} apiKey={key} onRevoked={refresh} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** The new key, shown this once, with a copy button. */
function NewKey({ created, onDone }: { created: { key: string; name: string }; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean>();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), [created.key]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section className="card new-api-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading" ref={headingRef} tabIndex={-1}>
        Your new key “{created.name}”
      </h2>
      <p className="notice">
        Copy it now: <strong>you won’t see it again.</strong> Agora keeps only a fingerprint of it.
      </p>
      <code className="wrap api-key-secret" data-testid="new-api-key">
        {created.key}
      </code>
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Done, hide it
        </button>
      </div>
      <p role="status" className="meta">
        {copied === true && 'Copied to the clipboard.'}
        {copied === false && 'The browser did not let us copy it: select the key and copy it yourself.'}
      </p>
    </section>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (key: string, name: string) => void }) {
  const [result, create] = useMutation(CreateApiKeyMutation);
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const now = Date.now();
  const form = useForm({
    fields: ['name', 'expiresAt'],
    validate: () => ({
      name: lengthProblem('Name', name, NAME),
      expiresAt: expiryProblem(expiry, Date.now()),
    }),
  });
  const submit = form.submit(async () => {
    const outcome = await create({
      input: { name: name.trim(), expiresAt: expiry ? endOfDay(expiry).toISOString() : null },
    });
    if (outcome.data) {
      onCreated(outcome.data.createApiKey.key, outcome.data.createApiKey.apiKey.name);
      setName('');
      setExpiry('');
      form.reset();
    }
    return outcome;
  });
  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="Create an API key" className="card" noValidate>
      <h2>Create a key</h2>
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        max={NAME.max}
        hint="What the key is for, e.g. “Backup script”"
        autoComplete="off"
        {...form.field('name')}
      />
      <TextField
        label="Expires on (optional)"
        type="date"
        value={expiry}
        onChange={setExpiry}
        hint={`Leave empty for a key that does not expire; at most two years ahead (by ${dateValue(new Date(now + MAX_LIFETIME_MS - 24 * 3600_000))})`}
        {...form.field('expiresAt')}
      />
      <FormErrors messages={form.general} />
      <button type="submit" disabled={result.fetching}>
        {result.fetching ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}

function KeyItem({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => void }) {
  const [result, revoke] = useMutation(RevokeApiKeyMutation);
  const expired = apiKey.expiresAt ? new Date(apiKey.expiresAt).getTime() <= Date.now() : false;
  return (
    <li className="api-key">
      <p className="item-title">
        {apiKey.name} {expired && <span className="badge">expired</span>}
      </p>
      <p>
        <code>{apiKey.prefix}…</code>
      </p>
      <p className="meta">
        <RelativeTime iso={apiKey.createdAt} prefix="Created " /> ·{' '}
        {apiKey.lastUsedAt ? <RelativeTime iso={apiKey.lastUsedAt} prefix="last used " /> : 'never used'} ·{' '}
        {apiKey.expiresAt ? (
          <RelativeTime iso={apiKey.expiresAt} prefix={expired ? 'expired ' : 'expires '} />
        ) : (
          'does not expire'
        )}
      </p>
      <div className="actions">
        <ConfirmButton
          label="Revoke"
          ariaLabel={`Revoke key ${apiKey.name}`}
          question={`Revoke “${apiKey.name}”? Programs using it stop working at once.`}
          confirmLabel="Yes, revoke"
          className="secondary"
          busy={result.fetching}
          onConfirm={async () => {
            const outcome = await revoke({ id: apiKey.id });
            if (!outcome.error) onRevoked();
          }}
        />
      </div>
      <FormErrors messages={result.error ? describeError(result.error).general : []} />
    </li>
  );
}
