import { describe, expect, it } from 'vitest';
import { compareVersions } from './compare-versions.js';
import { parseVersion } from './parse-version.js';
import { badRangeBound, inVersionRange } from './version-range.js';

describe('compareVersions', () => {
  it('orders Windows four-part builds numerically, missing parts as zero', () => {
    expect(compareVersions('10.0.17763.2452', '10.0.17763.2451', 'windows')).toBe(1);
    expect(compareVersions('10.0.17763.999', '10.0.17763.2452', 'windows')).toBe(-1);
    expect(compareVersions('6.3.9600', '6.3.9600.0', 'windows')).toBe(0);
    expect(compareVersions('6.3.9600.17712 (winblue_ltsb.150309-0600)', '6.3.9600.17712', 'windows')).toBe(0);
    expect(compareVersions('1, 0, 0, 27', '1.0.0.26', 'windows')).toBe(1);
    expect(compareVersions('not a version', '1.0', 'windows')).toBeUndefined();
  });

  it("reads Telerik's year.release.build and ignores the .NET target number", () => {
    expect(compareVersions('2019.3.1023.45', '2019.3.1023', 'telerik')).toBe(0);
    expect(compareVersions('2019.3.1023.40', '2020.1.114', 'telerik')).toBe(-1);
    expect(compareVersions('2017.2.621.45', '2017.2.711', 'telerik')).toBe(-1);
    expect(compareVersions('2020.1.114.45', '2020.1.114', 'telerik')).toBe(0);
  });

  it('reads Exchange builds as files and as Exchange shows them', () => {
    expect(parseVersion('Version 15.2 (Build 858.5)', 'exchange')?.numbers).toEqual([15, 2, 858, 5]);
    expect(compareVersions('15.2.858.5', '15.2.858.12', 'exchange')).toBe(-1);
    expect(compareVersions('15.02.0858.012', '15.2.858.12', 'exchange')).toBe(0);
    expect(compareVersions('15.1.2507.16', '15.2.221.12', 'exchange')).toBe(-1);
  });

  it('orders semver pre-releases before releases, numerically within an identifier', () => {
    expect(compareVersions('2.0-beta9', '2.0', 'semver')).toBe(-1);
    expect(compareVersions('2.0-beta10', '2.0-beta9', 'semver')).toBe(1);
    expect(compareVersions('2.0-rc1', '2.0-beta9', 'semver')).toBe(1);
    expect(compareVersions('2.14.1', '2.15.0', 'semver')).toBe(-1);
    expect(compareVersions('2.17.1', '2.17.1.Final', 'semver')).toBe(0);
    expect(compareVersions('1.0.0-alpha', '1.0.0-alpha.1', 'semver')).toBe(-1);
    expect(compareVersions('1.0.0-1', '1.0.0-alpha', 'semver')).toBe(-1);
    expect(compareVersions('v8.0.11+abc', '8.0.11', 'semver')).toBe(0);
  });

  it('rejects hostile lengths', () => {
    expect(parseVersion('1.'.repeat(200), 'semver')).toBeUndefined();
    expect(parseVersion('1.2.3.4.5', 'windows')).toBeUndefined();
  });
});

describe('inVersionRange', () => {
  it('takes introduced inclusive and fixed exclusive', () => {
    const log4shell = { introduced: '2.0-beta9', fixed: '2.15.0' };
    expect(inVersionRange('2.14.1', log4shell, 'semver')).toBe(true);
    expect(inVersionRange('2.0-beta9', log4shell, 'semver')).toBe(true);
    expect(inVersionRange('2.0-beta8', log4shell, 'semver')).toBe(false);
    expect(inVersionRange('2.15.0', log4shell, 'semver')).toBe(false);
    expect(inVersionRange('1.2.17', log4shell, 'semver')).toBe(false);
  });

  it('takes lastAffected inclusive and exact version lists', () => {
    expect(inVersionRange('3.3.2.41', { lastAffected: '3.3.2.41' }, 'windows')).toBe(true);
    expect(inVersionRange('3.3.2.42', { lastAffected: '3.3.2.41' }, 'windows')).toBe(false);
    expect(inVersionRange('18.12.416', { versions: ['18.12.407', '18.12.416'] }, 'semver')).toBe(true);
    expect(inVersionRange('18.12.422', { versions: ['18.12.407', '18.12.416'] }, 'semver')).toBe(false);
    expect(inVersionRange('garbage', { fixed: '1.0' }, 'windows')).toBeUndefined();
  });

  it('names a bound that is not a version of the scheme', () => {
    expect(badRangeBound({ fixed: '2020.1.114' }, 'telerik')).toBeUndefined();
    expect(badRangeBound({ fixed: 'R1 2020' }, 'telerik')).toBe('R1 2020');
  });
});
