// Desktop notifications of pages for the signed-in person (Web Notifications API). The circuit decides what to
// show and calls show(); this file only talks to the browser, so the page needs no inline script (CSP).
window.opsOnCall = {
  permission() {
    return 'Notification' in window ? Notification.permission : 'unsupported';
  },
  async request() {
    if (!('Notification' in window)) {
      return 'unsupported';
    }
    return await Notification.requestPermission();
  },
  show(id, title, body, url) {
    if (!('Notification' in window) || Notification.permission !== 'granted') {
      return false;
    }
    // One notification per page: the tag replaces an earlier one (escalation rounds) instead of stacking them.
    const n = new Notification(title, { body, tag: 'ops-page-' + id, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      if (url) {
        if (window.Blazor && window.Blazor.navigateTo) {
          window.Blazor.navigateTo(url);
        } else {
          window.location.assign(url);
        }
      }
      n.close();
    };
    return true;
  },
};
