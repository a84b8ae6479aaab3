// Read side of the local copy: server records from the last pull with the
// not-yet-acknowledged mutations laid over them, so the phone shows what the
// user entered at once.
import { getAll, get, getMeta } from './db.js';

function overlay(record, mutations) {
  let rec = record ? { ...record } : null;
  for (const m of mutations) {
    if (!rec) rec = { id: m.record_id, version: null, conflicts: 0, archived: false, _local: true };
    Object.assign(rec, m.fields);
    rec._pending = true;
    if (m.state === 'rejected') rec._rejected = true;
  }
  return rec;
}

function groupByRecord(entries, collection) {
  const map = new Map();
  for (const e of entries) {
    if (e.collection !== collection) continue;
    if (!map.has(e.record_id)) map.set(e.record_id, []);
    map.get(e.record_id).push(e);
  }
  return map;
}

export async function list(collection, { includeArchived = false } = {}) {
  const [records, entries] = await Promise.all([getAll(collection), getAll('outbox')]);
  const pending = groupByRecord(entries, collection);
  const out = [];
  for (const r of records) {
    const rec = overlay(r, pending.get(r.id) || []);
    pending.delete(r.id);
    out.push(rec);
  }
  for (const muts of pending.values()) out.push(overlay(null, muts));
  return includeArchived ? out : out.filter((r) => !r.archived);
}

export async function one(collection, id) {
  const [record, entries] = await Promise.all([get(collection, id), getAll('outbox')]);
  const muts = entries.filter((e) => e.collection === collection && e.record_id === id);
  return overlay(record || null, muts);
}

// The server's own copy (no local overlay): the base for diffs and versions.
export async function serverCopy(collection, id) {
  return (await get(collection, id)) || null;
}

export async function me() {
  return (await getMeta('me')) || { user: null, areas: [], scope_area_ids: [] };
}

export function areaMap(areas) {
  return new Map((areas || []).map((a) => [a.id, a]));
}

// Every area id at or below the given one.
export function subtree(areas, rootId) {
  const kids = new Map();
  for (const a of areas) {
    if (!kids.has(a.parent_id)) kids.set(a.parent_id, []);
    kids.get(a.parent_id).push(a.id);
  }
  const out = new Set();
  const stack = [rootId];
  while (stack.length) {
    const id = stack.pop();
    if (out.has(id)) continue;
    out.add(id);
    for (const k of kids.get(id) || []) stack.push(k);
  }
  return out;
}

export function visitedHouseholds(visits) {
  return new Set(visits.map((v) => v.household_id));
}
