import { useEffect, useRef, useState } from 'react';

/**
 * A destructive action asked twice, in place: "Delete" becomes "Delete this post? Yes,
 * delete / Cancel" with the focus on Cancel; Escape cancels.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  busy?: boolean;
  /** Names the thing for screen readers when the label alone is ambiguous ("Delete comment by Ada"). */
  ariaLabel?: string;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={openerRef}
        type="button"
        className={props.className ?? 'link'}
        aria-label={props.ariaLabel}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span
      className="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(event) => event.key === 'Escape' && setAsking(false)}
    >
      <span>{props.question}</span>
      <button type="button" className="danger" disabled={props.busy} onClick={() => void props.onConfirm()}>
        {props.confirmLabel}
      </button>
      <button ref={cancelRef} type="button" className="secondary" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
