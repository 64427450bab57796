import {
  useId,
  useRef,
  useState,
  type ChangeEvent,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
} from 'react';
import type { CombinedError } from 'urql';
import { describeError, type Overrides } from '../errors';
import { charCount } from '../limits';

/**
 * Form state shared by every form: the browser-side problems (shown once a field was left
 * or a submit was tried, at once when text runs over its limit), the server's answer mapped
 * to fields, and focus moved to the first field that needs attention.
 */
export function useForm<F extends string>(options: {
  fields: F[];
  validate: () => Partial<Record<F, string | undefined>>;
  overrides?: Overrides;
}) {
  const [touched, setTouched] = useState<ReadonlySet<F>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverError, setServerError] = useState<CombinedError>();
  const [edited, setEdited] = useState<ReadonlySet<F>>(new Set());
  const formRef = useRef<HTMLFormElement>(null);
  const problems = options.validate();
  const described = describeError(serverError, options.overrides, options.fields);

  const focusFirstInvalid = () =>
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const errorOf = (field: F): string | undefined => {
    const problem = problems[field];
    if (problem && (attempted || touched.has(field) || /at most/.test(problem))) return problem;
    return edited.has(field) ? undefined : described.fields[field];
  };

  return {
    formRef,
    /** Props for the TextField of `field`. */
    field: (field: F) => ({
      error: errorOf(field),
      onLeave: () => setTouched((set) => new Set(set).add(field)),
      onEdit: () => setEdited((set) => (set.has(field) ? set : new Set(set).add(field))),
    }),
    /** Sentences that concern no one field. */
    general: edited.size > 0 ? [] : described.general,
    /** onSubmit: checks first; sends only a valid form; keeps the server's error for display. */
    submit: (send: () => Promise<{ error?: CombinedError } | void>) => async (event: FormEvent) => {
      event.preventDefault();
      if (Object.values(problems).some(Boolean)) {
        setAttempted(true);
        focusFirstInvalid();
        return;
      }
      setServerError(undefined);
      setEdited(new Set());
      const result = await send();
      setServerError(result?.error);
      if (result?.error) focusFirstInvalid();
    },
    reset: () => {
      setTouched(new Set());
      setAttempted(false);
      setServerError(undefined);
      setEdited(new Set());
    },
    setServerError,
  };
}

type FieldProps = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** From useForm().field(name). */
  error?: string;
  onLeave?: () => void;
  onEdit?: () => void;
  /** Shown under the label: the rule ("3 to 80 characters"). */
  hint?: ReactNode;
  /** Shows a live "n / max" counter. */
  max?: number;
  multiline?: boolean;
  rows?: number;
  inputRef?: Ref<HTMLInputElement & HTMLTextAreaElement>;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'size'>;

/** A labelled input or textarea; its rule, counter and error are tied to it for screen readers. */
export function TextField(props: FieldProps) {
  const { label, value, onChange, error, onLeave, onEdit, hint, max, multiline, rows, inputRef, ...rest } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const count = max !== undefined ? charCount(value) : 0;
  const describedBy = [hint || max !== undefined ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  const common = {
    id,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
    onBlur: onLeave,
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      onEdit?.();
      onChange(event.target.value);
    },
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {(hint || max !== undefined) && (
        <div className="field-hint" id={hintId}>
          <span>{hint}</span>
          {max !== undefined && (
            <span className={count > max ? 'over' : undefined}>
              {count} / {max}
            </span>
          )}
        </div>
      )}
      {multiline ? (
        <textarea {...common} ref={inputRef} rows={rows ?? 4} {...(rest as object)} />
      ) : (
        <input {...common} ref={inputRef} {...rest} />
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** Errors about the whole form (or a lost connection), announced when they appear. */
export function FormErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <div role="alert" className="error">
      {messages.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  );
}
