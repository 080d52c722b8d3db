// Keyboard shortcuts for tickets, anywhere in the portal: "c" creates a ticket, "/" focuses the ticket search.
// Ignored while typing in a field, and with modifier keys, so they never eat real input.
window.opsTickets = {
  register(dotnet) {
    if (window.opsTickets.handler) {
      document.removeEventListener('keydown', window.opsTickets.handler);
    }
    window.opsTickets.handler = e => {
      if (window.opsTickets.buffer(e)) {
        return;
      }
      const t = e.target;
      const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (typing || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('.mud-dialog')) {
        return;
      }
      if (e.key === 'c') {
        e.preventDefault();
        window.opsTickets.startBuffering();
        dotnet.invokeMethodAsync('QuickCreate');
      } else if (e.key === '/') {
        const el = document.querySelector('[data-testid=global-search]');
        const box = el && (el.matches('input') ? el : el.querySelector('input'));
        if (box) {
          e.preventDefault();
          box.focus();
        }
      }
    };
    document.addEventListener('keydown', window.opsTickets.handler);
  },
  // The dialog opens after a round trip to the server: keys typed meanwhile are kept and put into the
  // field the dialog focuses, so "c" then typing at once never loses the first letters.
  pending: null,
  startBuffering() {
    const state = { text: '', until: Date.now() + 5000 };
    window.opsTickets.pending = state;
    const deliver = ev => {
      const field = ev.target;
      if (!field.closest || !field.closest('.mud-dialog') || !/^(INPUT|TEXTAREA)$/.test(field.tagName)) {
        return;
      }
      document.removeEventListener('focusin', deliver, true);
      if (window.opsTickets.pending === state) {
        window.opsTickets.pending = null;
      }
      if (state.text && Date.now() < state.until) {
        field.value += state.text;
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
    };
    document.addEventListener('focusin', deliver, true);
    setTimeout(() => document.removeEventListener('focusin', deliver, true), 5000);
  },
  // True when the key was kept for the dialog being opened.
  buffer(e) {
    const state = window.opsTickets.pending;
    const t = e.target;
    const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (!state || typing || Date.now() > state.until) {
      return false;
    }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      state.text += e.key;
      return true;
    }
    return false;
  },
  unregister() {
    if (window.opsTickets.handler) {
      document.removeEventListener('keydown', window.opsTickets.handler);
      window.opsTickets.handler = null;
    }
  }
};
