import { HTTP_SYS_CHECKS } from './http-sys-checks.js';
import type { RegistryCheck } from './registry-check.js';
import { SCHANNEL_CHECKS } from './schannel-checks.js';

/** Every registry check `w3guard audit` runs on a host root with a SYSTEM hive. */
export const REGISTRY_CHECKS: readonly RegistryCheck[] = [...SCHANNEL_CHECKS, ...HTTP_SYS_CHECKS];
