/* The customer's booking page: cancelling asks once more, since the place goes to someone else. */
(function () {
  'use strict';
  const form = document.getElementById('cancel');
  if (form) {
    form.addEventListener('submit', (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
})();
