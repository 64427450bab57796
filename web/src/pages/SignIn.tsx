import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql, useFragment as readFragment } from '../__generated__';
import { ApiError } from '../ApiError';
import { paths } from '../paths';
import { PageHeading, navigate } from '../router';
import { AuthPayloadFields, signIn } from '../session';

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

export default function SignIn() {
  return (
    <>
      <PageHeading>Sign in or register</PageHeading>
      <div className="columns">
        <LoginForm />
        <RegisterForm />
      </div>
    </>
  );
}

function LoginForm() {
  const [result, login] = useMutation(LoginMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await login({ input: { email, password } });
    if (data) {
      signIn(readFragment(AuthPayloadFields, data.login));
      navigate(paths.panels());
    }
  };

  return (
    <form onSubmit={submit} aria-label="Sign in" className="card">
      <h2>Sign in</h2>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="current-password"
        />
      </label>
      <button type="submit" disabled={result.fetching}>
        Sign in
      </button>
      <ApiError error={result.error} />
    </form>
  );
}

function RegisterForm() {
  const [result, register] = useMutation(RegisterMutation);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { data } = await register({ input: { email, password, handle, displayName: displayName || undefined } });
    if (data) {
      signIn(readFragment(AuthPayloadFields, data.register));
      navigate(paths.panels());
    }
  };

  return (
    <form onSubmit={submit} aria-label="Register" className="card">
      <h2>Register</h2>
      <label>
        Email
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" />
      </label>
      <label>
        Password
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="new-password"
        />
      </label>
      <label>
        Handle
        <input value={handle} onChange={(e) => setHandle(e.target.value)} required autoComplete="username" />
      </label>
      <label>
        Display name
        <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="nickname" />
      </label>
      <button type="submit" disabled={result.fetching}>
        Register
      </button>
      <ApiError error={result.error} />
    </form>
  );
}
