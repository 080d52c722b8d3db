// The portal's shell: the skip link moves keyboard focus (not just the scroll position) into the page.
// Registered at load, in the capture phase, so it works before and after the circuit starts.
document.addEventListener('click', e => {
  const link = e.target.closest && e.target.closest('a.skip-link');
  if (!link) {
    return;
  }
  e.preventDefault();
  e.stopPropagation();
  const main = document.getElementById('main-content');
  if (main) {
    main.focus();
    main.scrollIntoView({ block: 'start' });
  }
}, true);

window.opsShell = {
  // A dialog opened from a menu: the closing menu hands focus back to its button after the dialog has
  // focused its first field. For the next few seconds, focus that leaves the open dialog is put back.
  keepFocusInNextDialog() {
    const until = Date.now() + 3000;
    const tick = () => {
      const dialog = document.querySelector('.mud-dialog');
      if (dialog && !dialog.contains(document.activeElement)) {
        const field = dialog.querySelector('input:not([type=hidden]):not([disabled]), textarea, select, button');
        if (field) {
          field.focus();
        }
      }
      if (Date.now() < until) {
        requestAnimationFrame(tick);
      }
    };
    requestAnimationFrame(tick);
  }
};

// Focuses a page's main field when nothing has the focus yet (the user may already be typing elsewhere).
window.opsShell.focusIfIdle = selector => {
  const active = document.activeElement;
  if (active && active !== document.body && active !== document.documentElement) {
    return;
  }
  const el = document.querySelector(selector);
  const field = el && (el.matches('input, textarea') ? el : el.querySelector('input, textarea'));
  if (field) {
    field.focus();
  }
};

// The server renders each page's first paint before the circuit starts and cannot ask the browser for its
// theme; it reads this cookie instead (SystemTheme.cs), so a dark system does not get a light page first.
(() => {
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const remember = () => {
    const secure = location.protocol === 'https:' ? '; secure' : '';
    document.cookie = `ops-system-theme=${dark.matches ? 'dark' : 'light'}; path=/; max-age=31536000; samesite=lax${secure}`;
  };
  remember();
  dark.addEventListener('change', remember);
})();
