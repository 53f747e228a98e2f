/* Reading the dialog aloud. The kiosk's speaker belongs to the camera agent (the greeting's speech
 * worker), so the page asks the hall (POST /api/kiosk/sessions/<id>/read-aloud), which tells that
 * kiosk's agent; a tap on the screen stops the reading (…/hush).
 * The requests go out one after another, in order: a hush sent on a tap never overtakes the reading
 * it is meant to stop, and a reply asked for after the tap is never hushed by it.
 */
(function () {
  'use strict';

  // api(method, path, body) -> Promise: the screen's own call, with its device token.
  window.KioskSpeech = function (api) {
    let chain = Promise.resolve();
    let reading = null;   // the session a reading was asked for since the last hush

    function post(path, body) {
      chain = chain.then(() => api('POST', path, body)).catch(() => { /* a lost reading is only lost */ });
      return chain;
    }

    return {
      /* Read `text` aloud in `lang`; pace 'slow' in the elderly mode. */
      read(sessionId, text, lang, pace) {
        if (!sessionId || !text) return chain;
        reading = sessionId;
        return post(`/api/kiosk/sessions/${encodeURIComponent(sessionId)}/read-aloud`,
                    {text, language: lang, pace: pace || 'normal'});
      },
      /* Stop what is being read (nothing to do when nothing was asked for). */
      hush() {
        if (!reading) return chain;
        const id = reading;
        reading = null;
        return post(`/api/kiosk/sessions/${encodeURIComponent(id)}/hush`, {});
      },
    };
  };
})();
