// The signed-in session: token, device and user, kept in IndexedDB meta so
// the app starts offline after one online sign-in.
import { getMeta, setMeta } from './db.js';

export const session = {
  token: null,
  device_id: null,
  user: null,
  expires_at: null,
  needsAuth: false,
};

export const authEvents = new EventTarget();

export async function loadSession() {
  const saved = await getMeta('session');
  if (saved) Object.assign(session, saved);
  return session;
}

export async function saveSession(data) {
  Object.assign(session, {
    token: data.token, device_id: data.device_id, user: data.user,
    expires_at: data.expires_at, needsAuth: false,
  });
  await setMeta('session', { ...session });
  authEvents.dispatchEvent(new Event('change'));
}

// The token stopped working: keep everything, ask for a new sign-in.
export async function markNeedsAuth() {
  if (session.needsAuth) return;
  session.needsAuth = true;
  await setMeta('session', { ...session });
  authEvents.dispatchEvent(new Event('change'));
}

export async function forgetSession() {
  Object.assign(session, { token: null, device_id: null, user: null, expires_at: null, needsAuth: false });
  await setMeta('session', null);
  authEvents.dispatchEvent(new Event('change'));
}

export function signedIn() { return !!(session.user && session.token); }
