// Dashboard layout in edit mode. Blazor handles the drag and key events (DashboardGrid.razor); this file only does
// what needs script in the browser: data on a drag (Firefox starts no drag without it), Alt+arrow on a focused panel
// kept from going back or forward in history, and the focus put back on a panel after it moved.
document.addEventListener('dragstart', (e) => {
  const slot = e.target instanceof Element ? e.target.closest('[data-dash-slot]') : null;
  if (slot && e.dataTransfer) {
    e.dataTransfer.setData('text/plain', slot.getAttribute('data-dash-slot') || '');
    e.dataTransfer.effectAllowed = 'move';
  }
});
document.addEventListener('keydown', (e) => {
  if (e.altKey && e.key.startsWith('Arrow') && e.target instanceof Element && e.target.closest('[data-dash-slot]')) {
    e.preventDefault();
  }
}, true);
window.opsDashboards = {
  focus(index) {
    const slot = document.querySelector(`[data-dash-slot="${index}"]`);
    if (slot) {
      slot.focus();
    }
  },
};
