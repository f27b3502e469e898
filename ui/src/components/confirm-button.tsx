import { useEffect, useRef, useState } from 'react';

/**
 * A button for an action that cannot be undone (revoke, delete): the first press asks, in the page, and
 * only "yes" acts. No `window.confirm`: it blocks the page, and a dialog is easy to dismiss without reading.
 */
export function ConfirmButton(props: { readonly label: string; readonly question: string; readonly yes: string; readonly onConfirm: () => void | Promise<void>; readonly 'data-testid'?: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  // Keyboard users land on the safe choice.
  useEffect(() => {
    if (asking) cancel.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" onClick={() => setAsking(true)} data-testid={props['data-testid']}>
        {props.label}
      </button>
    );
  }
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>{' '}
      <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
        {props.yes}
      </button>{' '}
      <button type="button" ref={cancel} disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
