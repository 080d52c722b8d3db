// Keyboard shortcuts anywhere in the portal: "c" creates a ticket, "/" focuses the app-bar search.
// Ignored while typing in a field and with modifier keys, so they never eat real input.
//
// The listener is installed when this script loads, before the Blazor circuit is up: the page is
// prerendered, and its buttons and boxes are replaced when the circuit starts. So a shortcut pressed
// before then is queued, and the keys typed after it are kept and delivered once the circuit is
// interactive (register) — never dropped, never typed into a box that is about to be replaced.
window.opsTickets = (() => {
  let dotnet = null;
  let quickCreateQueued = false;
  let pending = null; // { target: 'dialog' | 'search', text, until }

  const typingIn = t => t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  const plainKey = e => e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;

  function searchBox() {
    const el = document.querySelector('[data-testid=global-search]');
    return el && (el.matches('input') ? el : el.querySelector('input'));
  }

  // As if typed: "input" for fields bound on input, "change" for those (the search box) bound on change.
  function deliver(field, text, change) {
    if (text) {
      field.value += text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
      if (change) {
        field.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  }

  // Keys typed while a dialog opens (a round trip) or before the circuit starts are kept here.
  function keep(target, seconds) {
    const state = { target, text: '', until: Date.now() + seconds * 1000 };
    pending = state;
    if (target === 'dialog') {
      const onFocus = ev => {
        const field = ev.target;
        if (!field.closest || !field.closest('.mud-dialog') || !/^(INPUT|TEXTAREA)$/.test(field.tagName)) {
          return;
        }
        document.removeEventListener('focusin', onFocus, true);
        if (pending === state) {
          pending = null;
          if (Date.now() < state.until) {
            deliver(field, state.text);
          }
        }
      };
      document.addEventListener('focusin', onFocus, true);
      setTimeout(() => document.removeEventListener('focusin', onFocus, true), seconds * 1000);
    }
  }

  function buffered(e) {
    if (!pending || Date.now() > pending.until || typingIn(e.target)) {
      return false;
    }
    if (plainKey(e)) {
      e.preventDefault();
      pending.text += e.key;
      return true;
    }
    if (e.key === 'Backspace') {
      e.preventDefault();
      pending.text = pending.text.slice(0, -1);
      return true;
    }
    return false;
  }

  function onKey(e) {
    if (buffered(e)) {
      return;
    }
    if (typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('.mud-dialog')) {
      return;
    }
    if (e.key === 'c') {
      e.preventDefault();
      if (dotnet) {
        keep('dialog', 5);
        dotnet.invokeMethodAsync('QuickCreate');
      } else {
        keep('dialog', 30);
        quickCreateQueued = true;
      }
    } else if (e.key === '/') {
      const box = searchBox();
      if (!box) {
        return;
      }
      e.preventDefault();
      if (dotnet) {
        box.focus();
      } else {
        keep('search', 30);
      }
    }
  }

  document.addEventListener('keydown', onKey);

  return {
    // The circuit is interactive: run what was queued, with what was typed meanwhile.
    register(ref) {
      dotnet = ref;
      if (quickCreateQueued) {
        quickCreateQueued = false;
        ref.invokeMethodAsync('QuickCreate');
      }
      if (pending && pending.target === 'search') {
        const state = pending;
        pending = null;
        const box = searchBox();
        if (box && Date.now() < state.until) {
          box.focus();
          deliver(box, state.text, true);
        }
      }
    },
    unregister() {
      dotnet = null;
    }
  };
})();
