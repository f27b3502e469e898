/**
 * A time from the API (ISO 8601 UTC) as a reader sees it, in UTC like everything the server says, to the minute or
 * (`seconds`) to the second; the exact value stays in `dateTime` for machines.
 */
export function When(props: { readonly at: string | undefined; readonly none?: string; readonly seconds?: boolean }) {
  if (props.at === undefined) return <>{props.none ?? '–'}</>;
  return <time dateTime={props.at}>{props.at.slice(0, props.seconds === true ? 19 : 16).replace('T', ' ')} UTC</time>;
}
