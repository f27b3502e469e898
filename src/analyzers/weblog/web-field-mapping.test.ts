import { describe, expect, it } from 'vitest';
import { loadWebFieldMapping } from './web-field-mapping.js';

describe('loadWebFieldMapping: mayAccept', () => {
  it('keeps every file that names a web log source as a value, however it is written', async () => {
    const mapping = await loadWebFieldMapping();
    for (const text of [
      'logsource:\n  category: webserver\n',
      'logsource:\n    product: IIS\n',
      "logsource: {product: 'windows-iis'}\n",
      'logsource:\n  service: "W3C"\n',
      'logsource:\n  service: httperr # HTTP.sys\n',
      'description: Detects IIS worker process abuse\nlogsource:\n  product: windows\n',
    ]) {
      expect(mapping.mayAccept(text), text).toBe(true);
    }
  });

  it('passes over files where a name only occurs inside another word', async () => {
    const mapping = await loadWebFieldMapping();
    expect(mapping.mayAccept('title: appcmd\nlogsource:\n  category: process_creation\n  product: windows\n# proc_creation_win_iis_appcmd.yml\n')).toBe(false);
    expect(mapping.mayAccept('logsource:\n  category: file_delete\ndetection:\n  sel:\n    TargetFilename|contains: \\inetpub\\logs\\logfiles\\w3svc\n')).toBe(false);
  });
});
