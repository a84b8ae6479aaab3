// Doorstep service worker: a versioned precache of the app shell so the app
// starts with no network; /api is left to the network, except photo GETs,
// which are immutable (named by their SHA-256) and cached once fetched.
const VERSION = 'v1-7baa85cf33';
const SHELL_CACHE = `doorstep-shell-${VERSION}`;
const PHOTO_CACHE = 'doorstep-photos';
const PRECACHE = [
  '/',
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/css/console.css',
  '/i18n/zh-CN.json',
  '/i18n/en.json',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-192.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
  '/js/app.js',
  '/js/api.js',
  '/js/codes.js',
  '/js/db.js',
  '/js/dom.js',
  '/js/drafts.js',
  '/js/geo.js',
  '/js/i18n.js',
  '/js/outbox.js',
  '/js/photos.js',
  '/js/routes.js',
  '/js/session.js',
  '/js/shell.js',
  '/js/store.js',
  '/js/sync.js',
  '/js/sync-photos.js',
  '/js/util.js',
  '/js/people.js',
  '/js/views/common.js',
  '/js/views/dispute.js',
  '/js/views/dispute-edit.js',
  '/js/views/followup.js',
  '/js/views/followups.js',
  '/js/views/home.js',
  '/js/views/household.js',
  '/js/views/household-new.js',
  '/js/views/households.js',
  '/js/views/photo-picker.js',
  '/js/views/signin.js',
  '/js/views/sync.js',
  '/js/views/visit.js',
  '/js/views/admin/areas.js',
  '/js/views/admin/devices.js',
  '/js/views/admin/import.js',
  '/js/views/admin/users.js',
  '/js/views/console/bulk.js',
  '/js/views/console/cases.js',
  '/js/views/console/common.js',
  '/js/views/console/conflicts.js',
  '/js/views/console/dashboard.js',
  '/js/views/console/exports.js',
  '/js/views/console/leaflet-map.js',
  '/js/views/console/map.js',
];
const PHOTO_PATH = /^\/api\/photos\/[0-9a-f]{64}$/;

self.addEventListener('install', (event) => {
  // cache: 'reload' so a new version never precaches a stale HTTP-cached file.
  event.waitUntil(caches.open(SHELL_CACHE)
    .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })))));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const keep = new Set([SHELL_CACHE, PHOTO_CACHE]);
    for (const name of await caches.keys()) {
      if (name.startsWith('doorstep-') && !keep.has(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks for this when the user taps "reload" on the update banner,
// after it has saved any form being filled in.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

async function shellFirst(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match('/index.html') || await cache.match('/');
  if (hit) return hit;
  return fetch(request);
}

async function navigate(request) {
  const url = new URL(request.url);
  // The app's own document comes from the cache at once: offline start.
  if (url.pathname === '/' || url.pathname === '/index.html') return shellFirst(request);
  try {
    return await fetch(request);
  } catch (err) {
    return shellFirst(request);
  }
}

async function staticAsset(request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  return fetch(request);
}

async function photo(request) {
  const cache = await caches.open(PHOTO_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.status === 200) cache.put(request, res.clone()).catch(() => {});
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    if (PHOTO_PATH.test(url.pathname)) event.respondWith(photo(request));
    return;
  }
  if (request.mode === 'navigate') { event.respondWith(navigate(request)); return; }
  if (PRECACHE.includes(url.pathname)) event.respondWith(staticAsset(request));
});
