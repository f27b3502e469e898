/**
 * The one script of the HTML report, hashed into its Content-Security-Policy. It only filters what the
 * server side already rendered: it reads our own `data-*` tokens and the rows' `textContent`, and writes
 * nothing but `hidden`, `open`, `value` and one counter's `textContent` — never markup — so evidence stays text.
 * Without it (scripts off, a mail viewer) the report is complete, only without filters.
 */
export const HTML_PAGE_SCRIPT = `
(function () {
  'use strict';
  var byId = function (id) { return document.getElementById(id); };
  var bar = byId('filters');
  var rows = Array.prototype.slice.call(document.querySelectorAll('article.finding'));
  if (bar === null || rows.length === 0) return;
  var keys = ['label', 'severity', 'status', 'asset'];
  var selects = keys.map(function (key) { return byId('filter-' + key); });
  var search = byId('filter-text');
  var shown = byId('filter-shown');
  var haystacks = rows.map(function (row) { return row.textContent.toLowerCase(); });
  function apply() {
    var wanted = selects.map(function (select) { return select.value; });
    var needle = search.value.trim().toLowerCase();
    var count = 0;
    rows.forEach(function (row, index) {
      var keep = keys.every(function (key, k) { return wanted[k] === '' || row.getAttribute('data-' + key) === wanted[k]; }) &&
        (needle === '' || haystacks[index].indexOf(needle) !== -1);
      // Touch only the rows that change, so a report of thousands of findings filters without a full re-style.
      if (row.hidden === keep) row.hidden = !keep;
      if (keep) count += 1;
    });
    shown.textContent = count === rows.length ? 'all ' + rows.length + ' findings shown' : count + ' of ' + rows.length + ' findings shown';
  }
  function clear() {
    selects.forEach(function (select) { select.value = ''; });
    search.value = '';
    apply();
  }
  selects.forEach(function (select) { select.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  byId('filter-clear').addEventListener('click', clear);
  // A link from an incident's timeline to a finding the filters hide shows every finding again.
  window.addEventListener('hashchange', function () {
    var target = location.hash.length > 1 ? byId(location.hash.slice(1)) : null;
    if (target !== null && target.hidden) { clear(); target.scrollIntoView(); }
  });
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (details) { details.open = true; });
  });
  bar.hidden = false;
  apply();
})();
`;
