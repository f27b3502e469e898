import { describe, expect, it } from 'vitest';
import { toArtifactUri, toUrlArtifactUri } from './to-artifact-uri.js';

describe('toArtifactUri', () => {
  it('keeps a relative path relative, with forward slashes', () => {
    expect(toArtifactUri('logs\\W3SVC1\\u_ex240501.log')).toBe('logs/W3SVC1/u_ex240501.log');
    expect(toArtifactUri('./logs/u_ex240501.log')).toBe('./logs/u_ex240501.log');
  });

  it('percent-encodes each segment', () => {
    expect(toArtifactUri('logs/u ex,"1"#?%.log')).toBe('logs/u%20ex%2C%221%22%23%3F%25.log');
    expect(toArtifactUri('logs/\u001b[31m\u202e.log')).toBe('logs/%1B%5B31m%E2%80%AE.log');
  });

  it('keeps the archive-entry separator readable', () => {
    expect(toArtifactUri('logs.zip!W3SVC1/u_ex240501.log')).toBe('logs.zip!W3SVC1/u_ex240501.log');
  });

  it('cannot turn a first segment into a scheme', () => {
    expect(toArtifactUri('C:logs\\x.log')).toBe('C%3Alogs/x.log');
    expect(toArtifactUri('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
  });

  it('turns absolute Windows, UNC, device and POSIX paths into file URIs', () => {
    expect(toArtifactUri('C:\\inetpub\\wwwroot\\web.config')).toBe('file:///C:/inetpub/wwwroot/web.config');
    expect(toArtifactUri('\\\\fileserver\\triage\\FAB APP01\\u_ex.log')).toBe('file://fileserver/triage/FAB%20APP01/u_ex.log');
    expect(toArtifactUri('\\\\?\\D:\\very\\long\\path.log')).toBe('file:///D:/very/long/path.log');
    expect(toArtifactUri('\\\\?\\UNC\\srv\\share\\a.log')).toBe('file://srv/share/a.log');
    expect(toArtifactUri('/mnt/image/inetpub/logs/u_ex.log')).toBe('file:///mnt/image/inetpub/logs/u_ex.log');
  });

  it('survives a lone surrogate from a WTF-16 file name', () => {
    expect(toArtifactUri('logs/u_ex\ud800.log')).toBe('logs/u_ex%EF%BF%BD.log');
  });
});

describe('toUrlArtifactUri', () => {
  it('keeps http(s) URLs and encodes what RFC 3986 forbids', () => {
    expect(toUrlArtifactUri('https://portal.example.com/owa/auth/x.js')).toBe('https://portal.example.com/owa/auth/x.js');
    expect(toUrlArtifactUri('https://portal.example.com/*~1*/a.aspx?q=<script>|{x}^`[1]%zz')).toBe(
      'https://portal.example.com/*~1*/a.aspx?q=%3Cscript%3E%7C%7Bx%7D%5E%60%5B1%5D%25zz',
    );
  });

  it('drops user info so no credential reaches a SARIF upload', () => {
    expect(toUrlArtifactUri('https://admin:hunter2@portal.example.com/')).toBe('https://portal.example.com/');
  });

  it('does not let another scheme through as a link', () => {
    expect(toUrlArtifactUri('javascript:alert(1)')).toBe('javascript%3Aalert(1)');
    expect(toUrlArtifactUri('not a url')).toBe('not%20a%20url');
  });
});
