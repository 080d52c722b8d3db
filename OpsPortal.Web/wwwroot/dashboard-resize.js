// Resizing a dashboard panel by its right edge in edit mode (PanelResizeHandle.razor). The pointer is followed here,
// in the browser, so a drag costs no round trip per move: the handle moves with the pointer and an outline shows the
// width the panel would snap to. On release the circuit gets the distance and the grid's width, snaps it again
// (PanelResizeHandle.Snap, the one that counts) and puts the width into the draft.
(() => {
  let resizing = false;

  // The handle sits inside a draggable panel: a drag that starts on it resizes, it does not move the panel.
  window.addEventListener('dragstart', (e) => {
    if (resizing) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);

  // The nearest allowed width to `columns`; exactly between two, the wider one (as PanelResizeHandle.Snap).
  const nearest = (widths, columns) =>
    widths.reduce((best, w) => (Math.abs(w - columns) <= Math.abs(best - columns) ? w : best), widths[0]);

  function start(handle, dotnet, down) {
    const slot = handle.closest('[data-dash-slot]');
    const grid = handle.closest('.mud-grid');
    if (!slot || !grid || down.button !== 0) {
      return;
    }
    down.preventDefault();
    resizing = true;
    handle.setPointerCapture(down.pointerId);
    const widths = handle.dataset.widths.split(' ').map(Number);
    const width = Number(handle.dataset.width);
    const preview = document.createElement('div');
    preview.className = 'dash-resize-preview';
    preview.dataset.testid = 'panel-resize-preview';
    const label = document.createElement('span');
    label.className = 'dash-resize-label';
    preview.append(label);
    document.body.append(preview);
    handle.classList.add('dash-resize-active');
    let delta = 0;

    const move = (e) => {
      delta = e.clientX - down.clientX;
      const gridWidth = grid.getBoundingClientRect().width;
      const snapped = nearest(widths, width + (delta * 12) / gridWidth);
      // The panel's item is `snapped` twelfths of the grid; the panel inside it is narrower by the item's gutter.
      const box = slot.getBoundingClientRect();
      const gutter = slot.parentElement.getBoundingClientRect().width - box.width;
      Object.assign(preview.style, {
        left: `${box.left}px`, top: `${box.top}px`, height: `${box.height}px`,
        width: `${Math.max(0, (gridWidth * snapped) / 12 - gutter)}px`,
      });
      label.textContent = `${snapped}/12`;
      handle.style.transform = `translateX(${delta}px)`;
    };
    // Escape drops the drag: the panel keeps its width.
    const escape = (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        end(e);
      }
    };
    const end = (e) => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      document.removeEventListener('keydown', escape, true);
      if (handle.hasPointerCapture(down.pointerId)) {
        handle.releasePointerCapture(down.pointerId);
      }
      handle.classList.remove('dash-resize-active');
      handle.style.transform = '';
      preview.remove();
      resizing = false;
      if (e.type === 'pointerup') {
        dotnet.invokeMethodAsync('Resized', delta, grid.getBoundingClientRect().width);
      }
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
    document.addEventListener('keydown', escape, true);
    move(down);
  }

  window.opsDashboardResize = {
    attach(handle, dotnet) {
      handle.addEventListener('pointerdown', (e) => start(handle, dotnet, e));
      // ←/→ on the focused handle resize (Blazor handles them); the page must not scroll sideways as well.
      handle.addEventListener('keydown', (e) => {
        if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
        }
      });
    },
  };
})();
