import { useState } from 'react';
import { REQUESTABLE_KINDS } from '../app/scan-kinds.js';

export type RequestableKind = (typeof REQUESTABLE_KINDS)[number]['kind'];

/**
 * What to scan, as both the new-scan and the new-schedule forms ask it: the kind (`kind` field) and the targets,
 * one a line (`targets` field), with the kind's example as the placeholder. The form reads both from its fields.
 */
export function ScanRequestFields(props: { readonly cols: number }) {
  const [kind, setKind] = useState<RequestableKind>('scan');
  return (
    <>
      <label>
        Kind
        <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value === 'host' ? 'host' : 'scan')}>
          {REQUESTABLE_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Targets, one a line
        <textarea name="targets" rows={3} cols={props.cols} maxLength={200_000} placeholder={REQUESTABLE_KINDS.find((k) => k.kind === kind)?.placeholder} required />
      </label>
    </>
  );
}
