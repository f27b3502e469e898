import type { Entry, ZipFile } from 'yauzl';

/** The next entry of a yauzl archive opened with `lazyEntries`, or undefined at its end. */
export function nextZipEntry(zipfile: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    // After an error yauzl stays silent on readEntry(), which would leave this promise pending forever.
    if (zipfile.emittedError) {
      reject(new Error('the archive already failed'));
      return;
    }
    const cleanup = (): void => {
      zipfile.off('entry', onEntry);
      zipfile.off('end', onEnd);
      zipfile.off('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    zipfile.on('entry', onEntry);
    zipfile.on('end', onEnd);
    zipfile.on('error', onError);
    zipfile.readEntry();
  });
}
