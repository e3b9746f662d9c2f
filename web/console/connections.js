// Which connection the user works on, and the metric and dimension names they can choose from:
// the catalogs (GET /api/v1/connections), which every signed-in user may read; for a connection
// without a catalog, the names in the user's learned patterns.
import { api } from './api.js';

const KEY = 'foresight.connection';

export function chosenConnection() {
  return sessionStorage.getItem(KEY) || '';
}

export function chooseConnection(id) {
  if (id) sessionStorage.setItem(KEY, id);
  else sessionStorage.removeItem(KEY);
}

/** [{id, name}] the user can pick from. */
export async function knownConnections() {
  const r = await api('GET', '/api/v1/connections');
  return (r.connections || []).map((c) => ({ id: c.connection_id, name: c.name || c.connection_id }));
}

/** The initial connection: the remembered one, else the first known. */
export function defaultConnection(list) {
  const remembered = chosenConnection();
  if (remembered) return remembered;
  return list.length ? list[0].id : '';
}

/**
 * {metrics: [{name, label}], dimensions: [...], source: 'catalog'|'patterns'} for a connection.
 */
export async function catalogTerms(connectionId) {
  if (connectionId) {
    try {
      const c = await api('GET', '/api/v1/connections/' + encodeURIComponent(connectionId));
      return {
        source: 'catalog',
        metrics: (c.metrics || []).map((m) => ({ name: m.name, label: m.display_name || m.name })),
        dimensions: (c.dimensions || []).map((d) => ({ name: d.name, label: d.display_name || d.name })),
      };
    } catch (e) {
      if (e.sessionEnded || e.status !== 404) throw e;
    }
  }
  const r = await api('GET', '/api/v1/activity/patterns', { query: { limit: 100 } });
  const metrics = new Set();
  const dimensions = new Set();
  for (const p of [...(r.user_patterns || []), ...(r.role_patterns || [])]) {
    for (const m of (p.metadata && p.metadata.metrics) || []) metrics.add(m);
    for (const d of (p.metadata && p.metadata.dimensions) || []) dimensions.add(d);
  }
  const wrap = (s) => [...s].sort().map((name) => ({ name, label: name }));
  return { source: 'patterns', metrics: wrap(metrics), dimensions: wrap(dimensions) };
}
