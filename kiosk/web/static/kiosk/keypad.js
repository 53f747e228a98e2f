/* The on-screen digit pad, for any input carrying data-keypad="phone|digits|code", wherever it is on
 * the page: the dialog's text box while the assistant asks for a phone number, the appointment
 * check-in, a call-back form. A kiosk has no keyboard: the pad (the page's #keypad, labelled through
 * the translation layer) appears under the input's form as soon as such an input is on screen, and
 * goes when it is not. Typing stays: the input keeps taking the keyboard too.
 * Plain script, no build step; it knows nothing of the screen it is on.
 */
(function () {
  'use strict';

  const pad = document.getElementById('keypad');
  if (!pad) return;
  // what each kind takes: the longest it may be, and whether letters count (booking codes do)
  const KINDS = {
    phone: {max: 11, letters: false},
    digits: {max: 20, letters: false},
    code: {max: 12, letters: true},
  };
  let target = null;

  function visible(node) {
    return !!node && node.isConnected && node.getClientRects().length > 0 && !node.disabled;
  }

  function kindOf(input) {
    return KINDS[input.dataset.keypad] ? input.dataset.keypad : null;
  }

  function attach(input) {
    target = input;
    const kind = kindOf(input);
    pad.dataset.kind = kind;
    if (!input.inputMode || input.inputMode === 'text') {
      input.inputMode = KINDS[kind].letters ? 'text' : 'numeric';
    }
    const anchor = input.form || input;
    if (anchor.nextElementSibling !== pad) anchor.after(pad);  // right under it, next in focus order
    pad.hidden = false;
  }

  function detach() {
    target = null;
    pad.hidden = true;
    delete pad.dataset.kind;
  }

  // The input the pad serves: the one with focus if it asks for the pad, else the first one on screen.
  function refresh() {
    const focused = document.activeElement;
    let next = focused && focused.matches && focused.matches('input[data-keypad]') && visible(focused)
      ? focused : null;
    if (!next && target && kindOf(target) && visible(target)) next = target;
    if (!next) next = Array.from(document.querySelectorAll('input[data-keypad]')).find(visible) || null;
    if (next && kindOf(next)) attach(next); else detach();
  }

  // Where a key goes: at the caret while the input has the focus (someone typing too), else at the end.
  function caret(input) {
    if (document.activeElement !== input || input.selectionStart === null) {
      return [input.value.length, input.value.length];
    }
    return [input.selectionStart, input.selectionEnd];
  }

  function put(input, text) {
    const kind = KINDS[kindOf(input)];
    const [start, end] = caret(input);
    const value = input.value.slice(0, start) + text + input.value.slice(end);
    if (value.length > kind.max) return;
    input.value = value;
    const at = start + text.length;
    try { input.setSelectionRange(at, at); } catch (e) { /* inputs without a selection */ }
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }

  function erase(input) {
    const [start, end] = caret(input);
    const from = start === end ? Math.max(0, start - 1) : start;
    input.value = input.value.slice(0, from) + input.value.slice(end);
    try { input.setSelectionRange(from, from); } catch (e) { /* inputs without a selection */ }
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }

  pad.addEventListener('click', (ev) => {
    const key = ev.target.closest('[data-key]');
    if (!key || !target) return;
    const input = target;
    const k = key.dataset.key;
    if (k === 'ok') {
      if (input.form) input.form.requestSubmit(); else input.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (k === 'delete') {
      erase(input);
    } else if (k === 'clear') {
      input.value = '';
      input.dispatchEvent(new Event('input', {bubbles: true}));
    } else if (/^[0-9]$/.test(k) || KINDS[kindOf(input)].letters) {
      put(input, k);
    }
  });

  // A pad key must not take the caret away from the input on a pointer: the input keeps its place.
  pad.addEventListener('pointerdown', (ev) => { if (ev.target.closest('[data-key]')) ev.preventDefault(); });

  // Screens change by attributes (body[data-state], [hidden]), inputs gain or lose data-keypad: look again.
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; refresh(); });
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeFilter: ['data-keypad', 'hidden', 'data-state', 'data-panel', 'class']});
  document.addEventListener('focusin', refresh);
  refresh();
})();
