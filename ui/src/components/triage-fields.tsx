/** Triage states in CycloneDX's vocabulary, as the API takes them. */
export const TRIAGE_STATES = ['in_triage', 'exploitable', 'resolved', 'false_positive', 'not_affected'] as const;
export type TriageStateName = (typeof TRIAGE_STATES)[number];

/** The triage state and comment fields one finding's page and the bulk bar share; `noChange` adds an empty first choice. */
export function TriageFields(props: { readonly defaultState: string; readonly noChange?: boolean }) {
  return (
    <>
      <label>
        Triage
        <select name="state" defaultValue={props.defaultState}>
          {props.noChange === true ? <option value="">no change</option> : null}
          {TRIAGE_STATES.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
      </label>
      <label>
        Comment
        <input name="comment" maxLength={4000} />
      </label>
    </>
  );
}

/** A suppression's end date from a date field: the end of that day, UTC. */
export function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59Z`).toISOString();
}
