import { CIS_CHECKS } from './cis-checks.js';
import type { ConfigCheck } from './config-check.js';
import { FTP_CHECKS } from './ftp-checks.js';
import { HOST_CHECKS } from './host-checks.js';
import { LOGGING_CHECKS } from './logging-checks.js';
import { PERSISTENCE_CHECKS } from './persistence-checks.js';
import { REWRITE_CHECKS } from './rewrite-checks.js';
import { SITE_CHECKS } from './site-checks.js';

/** Every configuration check `w3guard audit` runs; adding one is one object in one of these lists. */
export const CONFIG_CHECKS: readonly ConfigCheck[] = [...PERSISTENCE_CHECKS, ...REWRITE_CHECKS, ...LOGGING_CHECKS, ...SITE_CHECKS, ...CIS_CHECKS, ...FTP_CHECKS, ...HOST_CHECKS];
