// Strings come from /i18n/<lang>.json; zh-CN is the first language.
// The dictionary is loaded before the first render, so t() is synchronous.

export const LANGS = ['zh-CN', 'en'];
const STORE_KEY = 'doorstep.lang';
let lang = 'zh-CN';
let dict = {};
let fallback = {};

export function pickLang() {
  const saved = localStorage.getItem(STORE_KEY);
  if (LANGS.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || '']) {
    const low = String(l).toLowerCase();
    if (low.startsWith('zh')) return 'zh-CN';
    if (low.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

async function fetchDict(l) {
  const res = await fetch(`/i18n/${l}.json`);
  if (!res.ok) throw new Error(`i18n ${l}: ${res.status}`);
  return res.json();
}

export async function loadLang(l = pickLang()) {
  lang = LANGS.includes(l) ? l : 'zh-CN';
  dict = await fetchDict(lang);
  // Keys missing in a language fall back to Chinese rather than showing a key.
  fallback = lang === 'zh-CN' ? dict : await fetchDict('zh-CN').catch(() => ({}));
  document.documentElement.lang = lang;
  return lang;
}

export function setLang(l) {
  localStorage.setItem(STORE_KEY, l);
  return loadLang(l);
}

export function currentLang() { return lang; }

export function t(key, params) {
  let s = dict[key] ?? fallback[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  return s;
}

export function fmtDateTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function fmtDate(value) {
  if (!value) return '';
  const d = new Date(`${String(value).slice(0, 10)}T00:00:00`);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(d);
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
