// Posts the signed deep linking response back to the learning platform as soon as the page loads; the page's
// button does the same for a browser without scripts.
document.getElementById("deep-link-return").submit();
