import { auditRule } from './check-rule.js';
import type { RegistryCheck } from './registry-check.js';
import { registryFix } from './registry-fix.js';

const PARAMETERS = 'Services\\HTTP\\Parameters';
const LOCATION = `HKLM\\SYSTEM\\CurrentControlSet\\${PARAMETERS}`;

const trailerSupport: RegistryCheck = {
  meta: auditRule('cfg', {
    slug: 'httpsys-trailer-support',
    title: 'HTTP.sys trailer support is on (CVE-2022-21907 exposure)',
    description:
      'EnableTrailerSupport turns on the HTTP.sys code path behind CVE-2022-21907, a wormable remote code execution in the kernel driver that serves IIS. Windows Server 2019 and Windows 10 1809 are exposed only with this value set; later builds are exposed by default until patched.',
    severity: 'high',
    // Wormable kernel-mode code execution: one request, no credentials.
    technicalImpact: 'total',
    automatable: true,
    tags: ['cve.2022-21907'],
    references: ['https://msrc.microsoft.com/update-guide/vulnerability/CVE-2022-21907'],
    remediation: registryFix(
      'The risk is real only on a system without the January 2022 (or later) security update: install it first, then set EnableTrailerSupport to 0 (or delete it) unless an application needs HTTP trailers, and restart HTTP.sys (or Windows).',
      [LOCATION],
      [{ name: 'EnableTrailerSupport', type: 'REG_DWORD', value: 0 }],
    ),
  }),
  evaluate(context) {
    const key = context.controlSet.key(PARAMETERS);
    const value = key?.dword('EnableTrailerSupport');
    if (value === undefined || value === 0) return [{ status: 'pass' }];
    return [
      {
        status: 'fail',
        location: LOCATION,
        file: context.systemFile,
        text: `EnableTrailerSupport=0x${value.toString(16)}: HTTP trailers are accepted, exposing unpatched systems to CVE-2022-21907 (expected 0x0 or not set)`,
      },
    ];
  },
};

/** HTTP.sys settings read from the SYSTEM hive. */
export const HTTP_SYS_CHECKS: readonly RegistryCheck[] = [trailerSupport];
