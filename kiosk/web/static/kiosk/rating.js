/* The rating form of the counter's rating pad and the phone's status page (templates/kiosk/rating_form.html):
 * choose 1-5, add a comment if you like, send. `send(rating, comment)` posts it; `tr` translates. */
window.RatingForm = function (form, send, tr) {
  'use strict';
  const levels = Array.from(form.querySelectorAll('[data-rating]'));
  const comment = form.querySelector('textarea');
  const submit = form.querySelector('.send');
  const msg = form.querySelector('.rate-msg');
  let chosen = 0;

  levels.forEach((b) => b.addEventListener('click', () => {
    chosen = Number(b.dataset.rating);
    levels.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
    msg.textContent = '';
  }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!chosen) { msg.textContent = tr('rate.choose'); return; }
    submit.disabled = true;
    try { await send(chosen, comment.value.trim()); } finally { submit.disabled = false; }
  });

  return {
    reset() {
      chosen = 0;
      levels.forEach((x) => x.setAttribute('aria-pressed', 'false'));
      comment.value = '';
      msg.textContent = '';
    },
    say(text) { msg.textContent = text; },
  };
};
