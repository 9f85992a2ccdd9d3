// Loaded before require.js on pages with widgets (nb_ipywidgets_js in
// _config.yml): lets the site's own copies of the ipywidgets HTML manager
// and MathJax (_static/vendor, see `make vendor`) work together offline.

// 1. RequireJS takes a global `require` object defined before it loads as
//    its configuration. Mapping the manager's module path to the vendored
//    copy makes the icon fonts it loads (relative to that module) resolve
//    there too, instead of next to the page.
var require = {
  paths: {
    '@jupyter-widgets/html-manager/dist': new URL(
      'html-manager', document.currentScript.src).href
  }
};

// 2. The manager typesets widget text with MathJax 2's MathJax.Hub.Queue;
//    the site loads MathJax 3, whose call for that is typesetPromise.
document.addEventListener('DOMContentLoaded', function () {
  var mathjax = window.MathJax;
  if (mathjax && !mathjax.Hub) {
    mathjax.Hub = {
      Queue: function (job) {
        if (mathjax.typesetPromise) {
          mathjax.typesetPromise([job[2]]).catch(function () {});
        }
      }
    };
  }
});
