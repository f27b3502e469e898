import { describe, expect, it } from 'vitest';
import { readViewState } from './read-viewstate.js';

describe('readViewState', () => {
  it('tells a plain view state without MAC from one with a MAC and from an encrypted one', () => {
    const graph = Buffer.from([0xff, 0x01, 0x0f, 0x0f, 0x05, 0x03, 0x61, 0x62, 0x63, 0x64, 0x64]);
    expect(readViewState(graph.toString('base64'))).toEqual({ plain: true, macMissing: true });
    const withMac = Buffer.concat([graph, Buffer.alloc(20, 7)]);
    expect(readViewState(withMac.toString('base64'))).toEqual({ plain: true, macMissing: false });
    expect(readViewState(Buffer.from('encrypted-bytes-0123456789').toString('base64'))).toEqual({ plain: false });
    expect(readViewState('/wEPDwUKLTEyMzQ1Njc4OWRk')).toEqual({ plain: true, macMissing: true });
  });

  it('says nothing for garbage and never throws on hostile input', () => {
    expect(readViewState('<script>')).toBeUndefined();
    expect(readViewState(Buffer.from([0xff, 0x01, 0x16, 0xff, 0xff, 0xff, 0xff, 0x0f]).toString('base64'))).toEqual({ plain: true });
  });
});
