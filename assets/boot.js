// Runs before the first paint (a classic script in <head>, no inline script: the page works under
// a strict Content-Security-Policy). Sets the theme so the page does not flash: a theme= in the
// link wins, then the viewer's saved choice; the app keeps data-theme in sync afterwards.
(function () {
  var themes = ['light', 'dark', 'large'];
  var theme = null;
  try {
    var m = /[?&]theme=([a-z]+)/.exec(location.search);
    if (m && themes.indexOf(m[1]) >= 0) theme = m[1];
    var embed = /[?&]embed=(1|true)(&|$)/.test(location.search);
    if (!theme && !embed) {
      var saved = localStorage.getItem('avic-race-lab.theme');
      if (themes.indexOf(saved) >= 0) theme = saved;
    }
  } catch (_) { /* storage disabled: follow the system */ }
  if (theme) document.documentElement.dataset.theme = theme;
})();
