import { exposureCheck } from './exposure-check.js';
import { fingerprintCheck } from './fingerprint-check.js';
import { methodCheck } from './method-check.js';
import { ms15034Check } from './ms15-034-check.js';
import type { ProbeCheck } from './probe-check.js';
import { pageCheck } from './page-check.js';
import { productCheck } from './product-check.js';
import { tamperingCheck } from './tampering-check.js';
import { telerikCheck } from './telerik-check.js';
import { tildeCheck } from './tilde-check.js';

/** Every built-in outside-in check, in report order. */
export const PROBE_CHECKS: readonly ProbeCheck[] = [fingerprintCheck, tildeCheck, methodCheck, exposureCheck, telerikCheck, pageCheck, ms15034Check, productCheck, tamperingCheck];
