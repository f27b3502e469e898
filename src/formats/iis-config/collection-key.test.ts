import { describe, expect, it } from 'vitest';
import { parseXml } from '../xml/parse-xml.js';
import { collectionKey, isCollectionAdd } from './collection-key.js';

const element = (xml: string) => parseXml(xml);

describe('collectionKey', () => {
  it('keys by the collection key attribute, case-insensitively', () => {
    expect(collectionKey('modules', element('<add name="RadUpload" type="x"/>'))).toBe(collectionKey('modules', element('<remove name="radupload"/>')));
    expect(collectionKey('files', element('<add value="Default.htm"/>'))).toBe(collectionKey('files', element('<remove value="default.HTM"/>')));
    expect(collectionKey('appSettings', element('<add key="k" value="v"/>'))).toBe('k');
  });

  it('applies key defaults so a removal with the default matches an item without it', () => {
    expect(collectionKey('httpErrors', element('<error statusCode="404" path="x"/>'))).toBe(collectionKey('httpErrors', element('<remove statusCode="404" subStatusCode="-1"/>')));
  });

  it('keeps ordered lists unkeyed', () => {
    expect(collectionKey('conditions', element('<add input="{HTTPS}" pattern="off"/>'))).toBeUndefined();
  });

  it('knows collection items that are not called add', () => {
    expect(isCollectionAdd('httpErrors', 'error')).toBe(true);
    expect(isCollectionAdd('staticContent', 'mimeMap')).toBe(true);
    expect(isCollectionAdd('staticContent', 'clientCache')).toBe(false);
    expect(isCollectionAdd('anything', 'add')).toBe(true);
  });
});
