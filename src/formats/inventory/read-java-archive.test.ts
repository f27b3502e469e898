import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readJavaArchive } from './read-java-archive.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string): string => path.join(here, 'fixtures', name);

describe('readJavaArchive', () => {
  it('finds Log4j nested in a fat jar, named by the path through the archives', async () => {
    const { components, issues } = await readJavaArchive(fixture('happy/portal-fat.jar'), 'portal.jar');
    expect(issues).toEqual([]);
    expect(components.map((c) => [c.location, c.packageName, c.version])).toEqual([
      ['portal.jar!BOOT-INF/lib/log4j-core-2.14.1.jar', 'org.apache.logging.log4j:log4j-core', '2.14.1'],
      ['portal.jar!BOOT-INF/lib/commons-text-1.9.jar', 'org.apache.commons:commons-text', '1.9'],
      ['portal.jar', 'com.example:portal', '1.0.0'],
    ]);
  });

  it('falls back to the OSGi bundle name of the manifest when there is no pom.properties', async () => {
    const { components } = await readJavaArchive(fixture('happy/manifest-only.jar'), 'manifest-only.jar');
    expect(components).toEqual([{ name: 'Apache Log4j Core', version: '2.11.0', source: 'jar', location: 'manifest-only.jar', ecosystem: 'maven', packageName: 'org.apache.logging.log4j:log4j-core' }]);
  });

  it('stops at the nesting limit and says so', async () => {
    const { components, issues } = await readJavaArchive(fixture('sad/too-deep.jar'), 'too-deep.jar');
    expect(components).toEqual([]);
    expect(issues.map((i) => i.code)).toEqual(['jar.too-deep']);
  });

  it.each([
    ['sad/truncated.jar', 'jar.unreadable'],
    ['sad/not-a-zip.jar', 'jar.unreadable'],
  ])('turns %s into the issue %s', async (name, code) => {
    const { issues } = await readJavaArchive(fixture(name), name);
    expect(issues.map((i) => i.code)).toContain(code);
  });
});
