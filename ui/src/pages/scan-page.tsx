import { ScanProgress } from '../components/scan-progress.js';

/** `/scans/{id}`: the deep link notifications use for a scan. */
export function ScanPage(props: { readonly id: number }) {
  return (
    <section>
      <h1>Scan {props.id}</h1>
      <ScanProgress id={props.id} />
    </section>
  );
}
