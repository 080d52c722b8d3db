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
    return document.querySelector('input[data-testid=global-search]');
  }

  // As if typed: both fields it fills (a dialog's first field, the search box) are bound on input.
  function deliver(field, text) {
    if (text) {
      field.value += text;
      field.dispatchEvent(new Event('input', { bubbles: true }));
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
    // In the search box the arrows move through the hits (AppSearch.razor), not the caret.
    if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && e.target === searchBox()) {
      e.preventDefault();
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

  // A button pressed (clicked, or Enter/Space while focused) on the prerendered page has no handler yet:
  // it is remembered by its data-testid and place, and pressed again on its interactive twin once the
  // circuit is up and the page has drawn it. Buttons of plain forms (sign-out) work without the circuit.
  let pressQueued = null; // { testid, index, until }

  function onEarlyClick(e) {
    if (dotnet || !document.querySelector('.mud-layout[data-interactive=false]')) {
      return;
    }
    const button = e.target.closest && e.target.closest('button[data-testid]');
    if (!button || button.form || button.disabled) {
      return;
    }
    const testid = button.getAttribute('data-testid');
    e.preventDefault();
    e.stopPropagation();
    const same = Array.from(document.querySelectorAll(`button[data-testid="${CSS.escape(testid)}"]`));
    pressQueued = { testid, index: Math.max(0, same.indexOf(button)), until: Date.now() + 30000 };
  }

  document.addEventListener('click', onEarlyClick, true);

  function replayPress() {
    const press = pressQueued;
    pressQueued = null;
    if (!press) {
      return;
    }
    const find = () => document.querySelectorAll(`button[data-testid="${CSS.escape(press.testid)}"]`)[press.index];
    const attempt = () => {
      const button = find();
      if (button && !button.disabled) {
        button.focus();
        button.click();
      } else if (Date.now() < press.until) {
        setTimeout(attempt, 100); // the page may still be loading what it shows
      }
    };
    attempt();
  }

  return {
    // The circuit is interactive: run what was queued, with what was typed meanwhile.
    register(ref) {
      dotnet = ref;
      replayPress();
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
          deliver(box, state.text);
        }
      }
    },
    unregister() {
      dotnet = null;
    }
  };
})();
