// The header's menu (templates/base.html): folded on a phone, so the header keeps to one
// row; open for good where the screen is wide enough to show it inline (the CSS then hides
// its toggle). Without JavaScript it is a plain <details> at every width.

const menu = document.querySelector("[data-site-menu]");
const wide = window.matchMedia("(min-width: 48rem)");

function fit() {
  if (menu) menu.open = wide.matches;
}

fit();
wide.addEventListener("change", fit);
