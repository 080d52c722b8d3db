// Wiki editor helpers: keyboard shortcuts, image paste/upload, and a draft in local storage that
// survives a dropped circuit or a closed tab. Blazor keeps the source of truth on the server; this
// only edits the textarea the way a person would (then fires "input" so Blazor sees it).
window.opsWiki = (() => {
  const draftKey = slug => `opsportal.wiki.draft.${slug}`;
  // The portal refuses cookie-authenticated API writes without the page's antiforgery token.
  const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? '';

  function replaceSelection(area, before, after, placeholder) {
    const start = area.selectionStart, end = area.selectionEnd;
    const selected = area.value.slice(start, end) || placeholder;
    area.setRangeText(before + selected + after, start, end, 'end');
    area.selectionStart = start + before.length;
    area.selectionEnd = start + before.length + selected.length;
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function insertAtCursor(area, text) {
    area.setRangeText(text, area.selectionStart, area.selectionEnd, 'end');
    area.dispatchEvent(new Event('input', { bubbles: true }));
  }

  async function upload(area, slug, file, dotnet) {
    if (!file.type.startsWith('image/')) return;
    const placeholder = `![uploading ${file.name || 'image'}…]()`;
    insertAtCursor(area, placeholder);
    const response = await fetch(`/api/wiki-images?slug=${encodeURIComponent(slug)}&name=${encodeURIComponent(file.name || 'pasted.png')}`,
      { method: 'POST', body: file, credentials: 'same-origin', headers: { 'X-CSRF-TOKEN': csrfToken() } });
    const body = await response.json().catch(() => ({}));
    area.value = area.value.replace(placeholder, response.ok ? body.markdown : '');
    area.dispatchEvent(new Event('input', { bubbles: true }));
    if (!response.ok) await dotnet.invokeMethodAsync('ImageFailed', body.detail || `Upload failed (${response.status}).`);
  }

  // Written from the browser on every keystroke (debounced), not through the circuit: a draft
  // must survive exactly the moment the circuit drops.
  function saveDraftSoon(area) {
    clearTimeout(area._opsDraftTimer);
    area._opsDraftTimer = setTimeout(() => {
      const title = document.getElementById('wiki-title-input')?.value ?? null;
      try {
        localStorage.setItem(draftKey(area._opsSlug), JSON.stringify({
          body: area.value, title, baseRevision: area._opsBase, savedAt: new Date().toISOString(),
        }));
      } catch { /* storage full or disabled: the editor still works */ }
    }, 250);
  }

  return {
    init(area, slug, baseRevision, dotnet) {
      area._opsSlug = slug;
      area._opsBase = baseRevision;
      area.addEventListener('input', () => saveDraftSoon(area));
      document.getElementById('wiki-title-input')?.addEventListener('input', () => saveDraftSoon(area));
      area.addEventListener('keydown', e => {
        if (!(e.ctrlKey || e.metaKey)) return;
        const key = e.key.toLowerCase();
        if (key === 'b') { e.preventDefault(); replaceSelection(area, '**', '**', 'bold'); }
        else if (key === 'i') { e.preventDefault(); replaceSelection(area, '_', '_', 'italic'); }
        else if (key === 'k') { e.preventDefault(); replaceSelection(area, '[[', ']]', 'Page name'); }
      });
      // Ctrl+S saves from any field of the editor (title, source, services, message), never the browser's
      // "Save page as". A field bound on change (the message) hands its text over first.
      const onSave = e => {
        if (!area.isConnected) { document.removeEventListener('keydown', onSave, true); return; }
        if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 's') return;
        e.preventDefault();
        const field = document.activeElement;
        if (field && field !== area && /^(INPUT|TEXTAREA)$/.test(field.tagName)) {
          field.dispatchEvent(new Event('change', { bubbles: true }));
        }
        dotnet.invokeMethodAsync('SaveFromShortcut');
      };
      document.addEventListener('keydown', onSave, true);
      area.addEventListener('paste', e => {
        const file = [...(e.clipboardData?.files || [])].find(f => f.type.startsWith('image/'));
        if (file) { e.preventDefault(); upload(area, slug, file, dotnet); }
      });
      area.addEventListener('drop', e => {
        const file = [...(e.dataTransfer?.files || [])].find(f => f.type.startsWith('image/'));
        if (file) { e.preventDefault(); upload(area, slug, file, dotnet); }
      });
    },
    uploadFile(area, slug, input, dotnet) {
      const file = input.files && input.files[0];
      if (file) upload(area, slug, file, dotnet);
      input.value = '';
    },
    wrap(area, before, after, placeholder) { area.focus(); replaceSelection(area, before, after, placeholder); },
    rebase(area, baseRevision) { area._opsBase = baseRevision; saveDraftSoon(area); },
    loadDraft(slug) {
      try { return JSON.parse(localStorage.getItem(draftKey(slug)) || 'null'); } catch { return null; }
    },
    clearDraft(slug) {
      document.querySelectorAll('textarea.wiki-source').forEach(a => clearTimeout(a._opsDraftTimer));
      try { localStorage.removeItem(draftKey(slug)); } catch { /* disabled */ }
    },
  };
})();
