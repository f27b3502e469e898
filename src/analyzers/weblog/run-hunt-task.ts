import type { ScanIssue } from '../../core/scan-issue.js';
import { openLogStreams } from '../../formats/log-stream/open-log-streams.js';
import { readFileRange } from '../../formats/log-stream/read-file-range.js';
import type { HuntSettings, HuntTask, StreamOutcome, TaskOutcome } from './hunt-task.js';
import { scanLogStream, type ProgressTick } from './scan-log-stream.js';
import type { WebRules } from './load-web-rules.js';

/** Runs one hunt task: a byte range of a plain file, or every log stream of a source (file, gzip, zip, stdin). */
export async function runHuntTask(
  task: HuntTask,
  rules: Pick<WebRules, 'detectors' | 'correlations'>,
  settings: HuntSettings,
  signal: AbortSignal,
  onProgress?: ProgressTick,
): Promise<TaskOutcome> {
  const issues: ScanIssue[] = [];
  const streams: StreamOutcome[] = [];
  if (task.range !== undefined) {
    const { start, end, state } = task.range;
    streams.push(await scanLogStream(task.source.path, readFileRange(task.source.path, start, end, undefined, signal), rules, settings, state, onProgress));
    return { task, streams, issues };
  }
  for await (const stream of openLogStreams(task.source, { signal, onIssue: (issue) => issues.push(issue) })) {
    streams.push(await scanLogStream(stream.path, stream.chunks, rules, settings, undefined, onProgress));
  }
  return { task, streams, issues };
}
