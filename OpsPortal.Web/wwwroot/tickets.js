// Keyboard shortcuts for tickets, anywhere in the portal: "c" creates a ticket, "/" focuses the ticket search.
// Ignored while typing in a field, and with modifier keys, so they never eat real input.
window.opsTickets = {
  register(dotnet) {
    if (window.opsTickets.handler) {
      document.removeEventListener('keydown', window.opsTickets.handler);
    }
    window.opsTickets.handler = e => {
      const t = e.target;
      const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (typing || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('.mud-dialog')) {
        return;
      }
      if (e.key === 'c') {
        e.preventDefault();
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
  unregister() {
    if (window.opsTickets.handler) {
      document.removeEventListener('keydown', window.opsTickets.handler);
      window.opsTickets.handler = null;
    }
  }
};
