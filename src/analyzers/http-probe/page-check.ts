import { headerValues } from '../../engines/http-client/http-client.js';
import { excerpt, header, hitFor, probeRule, type ProbeCheck, type ProbeHit } from './probe-check.js';
import { readViewState } from './read-viewstate.js';

const VIEWSTATE_NO_MAC = probeRule({
  id: 'w3g-http-viewstate-no-mac',
  title: 'ViewState without MAC',
  description: 'The __VIEWSTATE ends right after its serialized objects, with no message authentication code: anyone can send a forged ViewState, which is deserialized on the server (remote code execution).',
  severity: 'high',
  confidence: 'firm',
  category: 'misconfiguration',
  tags: ['attack.t1190'],
  // A forged ViewState is deserialized on the server: code execution, sent by any script that reads the page.
  technicalImpact: 'total',
  automatable: true,
  remediation: 'Remove enableViewStateMac="false" (ASP.NET 4.5.2+ forbids it) and keep a unique machineKey per application.',
});
const VIEWSTATE_PLAIN = probeRule({
  id: 'w3g-http-viewstate-unencrypted',
  title: 'ViewState not encrypted',
  description: 'The __VIEWSTATE is readable by anyone (base64 of the serialized controls state); it may carry data the page did not mean to show.',
  severity: 'low',
  confidence: 'certain',
  category: 'misconfiguration',
  remediation: 'Set viewStateEncryptionMode="Always" on <pages> if the view state carries anything sensitive.',
});
const NO_EVENT_VALIDATION = probeRule({
  id: 'w3g-http-event-validation-off',
  title: 'Form posts back without EventValidation',
  description: 'A Web Forms page carries __VIEWSTATE but no __EVENTVALIDATION: postback values are not checked against what the page rendered.',
  severity: 'low',
  confidence: 'tentative',
  category: 'misconfiguration',
  remediation: 'Keep enableEventValidation="true" on <pages>.',
});
const COOKIE_HTTPONLY = probeRule({
  id: 'w3g-http-cookie-no-httponly',
  title: 'Session or authentication cookie without HttpOnly',
  description: 'A session or forms-authentication cookie can be read by script, so one XSS steals the session.',
  severity: 'medium',
  confidence: 'certain',
  category: 'cookies',
  remediation: 'Set <httpCookies httpOnlyCookies="true" /> and requireSSL on <forms>.',
});
const COOKIE_SECURE = probeRule({
  id: 'w3g-http-cookie-no-secure',
  title: 'Session or authentication cookie without Secure on HTTPS',
  description: 'A session or forms-authentication cookie set over HTTPS lacks Secure, so it is also sent over plain HTTP.',
  severity: 'medium',
  confidence: 'certain',
  category: 'cookies',
  remediation: 'Set <httpCookies requireSSL="true" /> and <forms requireSSL="true" />.',
});
const COOKIE_SAMESITE = probeRule({
  id: 'w3g-http-cookie-no-samesite',
  title: 'Session or authentication cookie without SameSite',
  description: 'A session or forms-authentication cookie has no SameSite attribute, leaving cross-site request forgery to the browser default.',
  severity: 'low',
  confidence: 'certain',
  category: 'cookies',
  remediation: 'Set sameSite="Lax" (or Strict) on <httpCookies>, <sessionState cookieSameSite> and <forms cookieSameSite>.',
});
const MISSING_HEADER = {
  hsts: probeRule({ id: 'w3g-http-missing-hsts', title: 'HTTPS site without Strict-Transport-Security', description: 'Browsers may reach the site over plain HTTP first, where an attacker on the path can strip TLS.', severity: 'low', confidence: 'certain', category: 'security-headers', remediation: 'Enable HSTS on the site (IIS 10 1709+: <hsts enabled="true" max-age="31536000" />).' }),
  csp: probeRule({ id: 'w3g-http-missing-csp', title: 'No Content-Security-Policy', description: 'Without a CSP, injected script (including SEO-fraud injections) runs with the page\'s rights.', severity: 'low', confidence: 'certain', category: 'security-headers', remediation: 'Send a Content-Security-Policy header from customHeaders or the application.' }),
  xcto: probeRule({ id: 'w3g-http-missing-x-content-type-options', title: 'No X-Content-Type-Options: nosniff', description: 'Browsers may sniff responses into script or HTML.', severity: 'low', confidence: 'certain', category: 'security-headers', remediation: 'Add X-Content-Type-Options: nosniff under customHeaders.' }),
  frame: probeRule({ id: 'w3g-http-missing-frame-protection', title: 'No frame protection (X-Frame-Options or frame-ancestors)', description: 'Any site can frame the pages (clickjacking).', severity: 'low', confidence: 'certain', category: 'security-headers', remediation: 'Add X-Frame-Options: SAMEORIGIN or a CSP frame-ancestors directive.' }),
};

/** Session and forms-auth cookies of ASP.NET, ASP and ASP.NET Core. */
const SESSION_COOKIE = /^(ASP\.NET_SessionId|\.ASPXAUTH|\.ASPXFORMSAUTH|\.ASPXROLES|\.AspNetCore\.[\w.]+|ASPSESSIONID\w*|FedAuth|\.AspNet\.ApplicationCookie)$/i;

/** The home page: ViewState protection, EventValidation, cookie flags, security headers. */
export const pageCheck: ProbeCheck = {
  id: 'page',
  rules: [VIEWSTATE_NO_MAC, VIEWSTATE_PLAIN, NO_EVENT_VALIDATION, COOKIE_HTTPONLY, COOKIE_SECURE, COOKIE_SAMESITE, ...Object.values(MISSING_HEADER)],
  async run(context) {
    const hits: ProbeHit[] = [];
    const home = await context.fetch('/', { redirects: 3 });
    if (home === undefined) return hits;
    const viewState = /<input[^>]*name="__VIEWSTATE"[^>]*value="([^"]*)"/i.exec(home.text)?.[1] ?? /<input[^>]*value="([^"]*)"[^>]*name="__VIEWSTATE"/i.exec(home.text)?.[1];
    if (viewState !== undefined && viewState !== '') {
      const shape = readViewState(viewState);
      if (shape?.macMissing === true) hits.push(hitFor(VIEWSTATE_NO_MAC, home, `__VIEWSTATE=${excerpt(viewState, 40)} ends without a MAC`));
      if (shape?.plain === true) hits.push(hitFor(VIEWSTATE_PLAIN, home, `__VIEWSTATE=${excerpt(viewState, 40)} decodes in clear`));
      if (!/name="__EVENTVALIDATION"/i.test(home.text) && /<form[^>]*method="post"/i.test(home.text)) hits.push(hitFor(NO_EVENT_VALIDATION, home, 'post-back form without __EVENTVALIDATION'));
    }
    const https = home.response.url.startsWith('https:');
    for (const cookie of headerValues(home.response.headers, 'set-cookie')) {
      const name = cookie.split('=', 1)[0]?.trim() ?? '';
      if (!SESSION_COOKIE.test(name)) continue;
      const attributes = cookie.split(';').slice(1).map((a) => a.trim().toLowerCase());
      const has = (attr: string): boolean => attributes.some((a) => a === attr || a.startsWith(`${attr}=`));
      const shown = `Set-Cookie: ${excerpt(name, 60)}=…; ${attributes.join('; ')}`;
      if (!has('httponly')) hits.push(hitFor(COOKIE_HTTPONLY, home, shown, name));
      if (https && !has('secure')) hits.push(hitFor(COOKIE_SECURE, home, shown, name));
      if (!has('samesite')) hits.push(hitFor(COOKIE_SAMESITE, home, shown, name));
    }
    const isHtml = /text\/html/i.test(header(home, 'content-type') ?? '') && home.response.status === 200;
    if (isHtml) {
      const csp = header(home, 'content-security-policy');
      if (https && header(home, 'strict-transport-security') === undefined) hits.push(hitFor(MISSING_HEADER.hsts, home, 'no Strict-Transport-Security header', '/'));
      if (csp === undefined) hits.push(hitFor(MISSING_HEADER.csp, home, 'no Content-Security-Policy header', '/'));
      if (!/nosniff/i.test(header(home, 'x-content-type-options') ?? '')) hits.push(hitFor(MISSING_HEADER.xcto, home, 'no X-Content-Type-Options: nosniff', '/'));
      if (header(home, 'x-frame-options') === undefined && !/frame-ancestors/i.test(csp ?? '')) hits.push(hitFor(MISSING_HEADER.frame, home, 'no X-Frame-Options or frame-ancestors', '/'));
    }
    return hits;
  },
};
