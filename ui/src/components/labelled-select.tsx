import type { ChangeEvent } from 'react';

/**
 * A labelled `<select>` of fixed choices with an empty first choice (what "none chosen" means is `empty`),
 * uncontrolled: its form reads it. `onChange`, when given, runs on each choice.
 */
export function LabelledSelect(props: {
  readonly name: string;
  readonly label: string;
  readonly options: readonly string[];
  readonly value: string | undefined;
  readonly empty: string;
  readonly onChange?: (event: ChangeEvent<HTMLSelectElement>) => void;
}) {
  return (
    <label>
      {props.label}
      <select name={props.name} defaultValue={props.value ?? ''} {...(props.onChange === undefined ? {} : { onChange: props.onChange })}>
        <option value="">{props.empty}</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}
