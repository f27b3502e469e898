import type { ScanReport } from './report.js';

/** How a reporter should render. */
export interface RenderOptions {
  /** Use ANSI colour (only when writing to a terminal). */
  readonly color: boolean;
}

/** Turns a report into text in one format. Plug-ins live in one registry (`REPORTERS`). */
export interface Reporter {
  readonly format: string;
  readonly description: string;
  render(report: ScanReport, options: RenderOptions): string;
  /** The same text as `render`, in pieces to write one after another (for reports of tens of megabytes). */
  renderParts?(report: ScanReport, options: RenderOptions): readonly string[];
}
