/* What a device's page shares (the rating pad; the kiosk screen has its own copy until it moves here):
 * its token, given once in the URL fragment (#token=…, never sent to a server) and kept in this
 * tab's sessionStorage, and the message bundles of both languages. */
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

  return {takeToken, loadBundles, translator, has: (lang) => Boolean(bundles[lang])};
})();
