// Small state-free helpers of the lab page (our own code): JSON requests to the server, number
// parsing and formatting, and <select> filling. app.js takes them from `LabUtil`.
'use strict';
var LabUtil = (function () {
  function request(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.text().then(function (t) {
        var v = null;
        try { v = JSON.parse(t); } catch (e) { v = null; }
        if (!r.ok) throw new Error((v && v.error) || t || ('HTTP ' + r.status));
        return v === null ? t : v;
      });
    });
  }
  function post(path, body) { return request('POST', path, body); }
  function num(v, d) { var x = parseFloat(v); return isFinite(x) ? x : d; }
  function option(sel, value, text) {
    var o = document.createElement('option'); o.value = value; o.textContent = text || value; sel.appendChild(o); return o;
  }
  function fill(sel, values, current) {
    while (sel.firstChild) sel.removeChild(sel.firstChild);
    values.forEach(function (v) { option(sel, v); });
    if (current !== undefined && values.indexOf(current) >= 0) sel.value = current;
  }
  function fmt(v) { return (typeof v === 'number' && isFinite(v)) ? (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(3) : String(+v.toPrecision(5))) : String(v); }

  return { request: request, post: post, num: num, option: option, fill: fill, fmt: fmt };
})();
