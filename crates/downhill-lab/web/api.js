// JSON requests to the lab's server (README's API table).

// `method path` with an optional JSON body; the parsed answer (text if not JSON). A non-2xx
// answer throws an Error with the server's `error` message.
export async function request(method, path, body, init = {}) {
  const opts = { method, headers: {}, ...init };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  let v, json = true;
  try { v = JSON.parse(text); } catch { json = false; }
  if (!r.ok) throw new Error((json && v && v.error) || text || 'HTTP ' + r.status);
  return json ? v : text;
}

// POSTs JSON.
export const post = (path, body) => request('POST', path, body);
