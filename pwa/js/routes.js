// Hash routes: '#/path/:param?query'. Hash routing keeps every screen on the
// one cached shell document, so any screen opens offline.
import * as signin from './views/signin.js';
import * as home from './views/home.js';
import * as households from './views/households.js';
import * as householdNew from './views/household-new.js';
import * as household from './views/household.js';
import * as visit from './views/visit.js';
import * as dispute from './views/dispute.js';
import * as disputeEdit from './views/dispute-edit.js';
import * as followups from './views/followups.js';
import * as followup from './views/followup.js';
import * as syncView from './views/sync.js';

const table = [
  ['/signin', signin],
  ['/', home],
  ['/households', households],
  ['/households/new', householdNew],
  ['/h/:id', household],
  ['/h/:id/visit', visit],
  ['/d/new', disputeEdit],
  ['/d/:id', dispute],
  ['/d/:id/edit', disputeEdit],
  ['/followups', followups],
  ['/f/:id', followup],
  ['/sync', syncView],
];

export function resolveRoute(hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view] of table) {
    const pp = pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pp[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) {
      for (const [k, v] of new URLSearchParams(query)) params[k] = v;
      return { view, params };
    }
  }
  return { view: home, params: {} };
}
