// The names IIS gives its logs: W3C (`u_ex`), IIS native (`u_in`), NCSA (`u_nc`), the pre-UTF-8
// names without `u_`, custom-field logs (`_x.log`) and HTTP.sys error logs; rotated copies are
// often gzipped in place.
const LOG_NAME = /^(?:u_ex.*|u_in.*|u_nc.*|ex.*|in.*|nc.*|httperr.*|.*_x)\.log(?:\.gz)?$/i;
const ZIP_NAME = /\.zip$/i;

/** Whether a file name (no folders) is one IIS gives its logs, plain or gzipped, case-insensitively. */
export function isLogFileName(name: string): boolean {
  return LOG_NAME.test(name);
}

/** Whether a file name (no folders) names a zip archive, case-insensitively. */
export function isZipFileName(name: string): boolean {
  return ZIP_NAME.test(name);
}
