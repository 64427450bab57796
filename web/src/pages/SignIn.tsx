import { useState } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../__generated__';
import { FormErrors, TextField, useForm } from '../components/form';
import { LIMITS, emailProblem, handleProblem, lengthProblem, passwordProblem } from '../limits';
import { paths } from '../paths';
import { PageHeading, navigate, type PageProps } from '../router';
import { signIn } from '../session';

const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

/** Where to go once signed in: `?next=` when it is a path of this app, else the panels. */
function nextPath(search: URLSearchParams): string {
  const next = search.get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : paths.panels();
}

export default function SignIn({ search }: PageProps) {
  const next = nextPath(search);
  return (
    <>
      <PageHeading>Sign in or register</PageHeading>
      <div className="columns">
        <LoginForm next={next} />
        <RegisterForm next={next} />
      </div>
    </>
  );
}

function LoginForm({ next }: { next: string }) {
  const [result, login] = useMutation(LoginMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useForm({
    fields: ['email', 'password'],
    validate: () => ({ email: emailProblem(email), password: passwordProblem(password) }),
    overrides: { UNAUTHENTICATED: 'Wrong email or password.' },
  });

  const submit = form.submit(async () => {
    const outcome = await login({ input: { email: email.trim(), password } });
    if (outcome.data) {
      signIn(outcome.data.login);
      navigate(next, { replace: true });
    }
    return outcome;
  });

  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="Sign in" className="card" noValidate>
      <h2>Sign in</h2>
      <TextField
        label="Email"
        type="email"
        value={email}
        onChange={setEmail}
        autoComplete="email"
        {...form.field('email')}
      />
      <TextField
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
        {...form.field('password')}
      />
      <FormErrors messages={form.general} />
      <button type="submit" disabled={result.fetching}>
        {result.fetching ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function RegisterForm({ next }: { next: string }) {
  const [result, register] = useMutation(RegisterMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const form = useForm({
    fields: ['email', 'password', 'handle', 'displayName'],
    validate: () => ({
      email: emailProblem(email),
      password: passwordProblem(password, { email, handle }),
      handle: handleProblem(handle),
      displayName: displayName.trim() ? lengthProblem('Display name', displayName, LIMITS.displayName) : undefined,
    }),
  });

  const submit = form.submit(async () => {
    const outcome = await register({
      input: { email: email.trim(), password, handle: handle.trim(), displayName: displayName.trim() || undefined },
    });
    if (outcome.data) {
      signIn(outcome.data.register);
      navigate(next, { replace: true });
    }
    return outcome;
  });

  return (
    <form ref={form.formRef} onSubmit={submit} aria-label="Register" className="card" noValidate>
      <h2>Register</h2>
      <TextField
        label="Email"
        type="email"
        value={email}
        onChange={setEmail}
        autoComplete="email"
        {...form.field('email')}
      />
      <TextField
        label="Password"
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="new-password"
        hint={`${LIMITS.password.min}+ characters, at least two kinds (a–z, A–Z, 0–9, symbols)`}
        {...form.field('password')}
      />
      <TextField
        label="Handle"
        value={handle}
        onChange={setHandle}
        autoComplete="username"
        hint="3 to 30 of a–z, 0–9 and _; your address: /u/handle"
        max={LIMITS.handle.max}
        {...form.field('handle')}
      />
      <TextField
        label="Display name"
        value={displayName}
        onChange={setDisplayName}
        autoComplete="nickname"
        hint="Optional; your handle if left empty"
        max={LIMITS.displayName.max}
        {...form.field('displayName')}
      />
      <FormErrors messages={form.general} />
      <button type="submit" disabled={result.fetching}>
        {result.fetching ? 'Creating your account…' : 'Register'}
      </button>
    </form>
  );
}
