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
import * as dashboard from './views/console/dashboard.js';
import * as coverageMap from './views/console/map.js';
import * as cases from './views/console/cases.js';
import * as conflicts from './views/console/conflicts.js';
import * as exportsView from './views/console/exports.js';
import * as users from './views/admin/users.js';
import * as devices from './views/admin/devices.js';
import * as areas from './views/admin/areas.js';
import * as registerImport from './views/admin/import.js';

// The supervisor console is for supervisors and admins; its admin part for
// admins alone. Anyone else asking for those screens gets the home screen.
const CONSOLE = ['supervisor', 'admin'];
const ADMIN = ['admin'];

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
  ['/console', dashboard, CONSOLE],
  ['/console/map', coverageMap, CONSOLE],
  ['/console/cases', cases, CONSOLE],
  ['/console/conflicts', conflicts, CONSOLE],
  ['/console/exports', exportsView, CONSOLE],
  ['/admin/users', users, ADMIN],
  ['/admin/devices', devices, ADMIN],
  ['/admin/areas', areas, ADMIN],
  ['/admin/import', registerImport, ADMIN],
];

export function resolveRoute(hash, role) {
  const found = match(hash);
  if (found.roles && !found.roles.includes(role)) return { view: home, params: {} };
  return { view: found.view, params: found.params };
}

function match(hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean);
  for (const [pattern, view, roles] of table) {
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
      return { view, params, roles };
    }
  }
  return { view: home, params: {} };
}
