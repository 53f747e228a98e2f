/* What a device's page shares (the kiosk screen, the rating pad): its token, given once in the URL
 * fragment (#token=…, never sent to a server nor in a Referer) and kept in this tab's sessionStorage
 * (no cookie, so no ambient credential), the hall's API called with it, and the message bundles of
 * both languages. */
window.Device = (function () {
  'use strict';
  const bundles = {};

  function takeToken(key) {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      try { sessionStorage.setItem(key, decodeURIComponent(m[1])); } catch (e) { /* private mode */ }
      history.replaceState(null, '', location.pathname + location.search);
      return decodeURIComponent(m[1]);
    }
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  // The hall's answer, or an Error with the hall's message, its status and its error code.
  async function api(token, method, path, data, {headers, timeoutMs} = {}) {
    const ctl = new AbortController();
    const timer = timeoutMs ? setTimeout(() => ctl.abort(), timeoutMs) : null;
    const h = Object.assign({Accept: 'application/json', Authorization: 'Bearer ' + token}, headers || {});
    if (data !== undefined && data !== null) h['Content-Type'] = 'application/json';
    try {
      const res = await fetch(path, {method, headers: h, cache: 'no-store', signal: ctl.signal,
                                     body: data === undefined || data === null ? undefined : JSON.stringify(data)});
      let out = null;
      try { out = await res.json(); } catch (e) { /* 204 or not JSON */ }
      if (!res.ok) {
        const err = new Error((out && out.error && out.error.message) || res.statusText);
        err.status = res.status;
        err.code = out && out.error && out.error.code;
        throw err;
      }
      return out;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async function loadBundles() {
    await Promise.all(['zh', 'en'].map(async (l) => {
      try { bundles[l] = await (await fetch(`/i18n/${l}.json`, {cache: 'no-store'})).json(); } catch (e) { /* page text stays */ }
    }));
  }

  function translator(lang) {
    return (key, values) => {
      const b = bundles[lang()] || {};
      let text = Object.prototype.hasOwnProperty.call(b, key) ? b[key] : key;
      if (values) text = text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? String(values[k]) : all));
      return text;
    };
  }

  return {takeToken, api, loadBundles, translator, has: (lang) => Boolean(bundles[lang])};
})();
