// Position for a visit. Never rejects and never blocks a save: the form shows
// what it got and offers manual entry when there is nothing.

export function getPosition(timeout = 10000) {
  return new Promise((resolve) => {
    if (!('geolocation' in navigator)) { resolve({ error: 'unsupported' }); return; }
    let settled = false;
    const finish = (v) => { if (!settled) { settled = true; clearTimeout(guard); resolve(v); } };
    // Some browsers never call back when the permission prompt is ignored.
    const guard = setTimeout(() => finish({ error: 'timeout' }), timeout + 1000);
    navigator.geolocation.getCurrentPosition(
      (p) => finish({
        lat: Number(p.coords.latitude.toFixed(6)),
        lon: Number(p.coords.longitude.toFixed(6)),
        accuracy_m: Math.round(p.coords.accuracy),
      }),
      (err) => finish({ error: err.code === 1 ? 'denied' : err.code === 3 ? 'timeout' : 'unavailable' }),
      { enableHighAccuracy: true, timeout, maximumAge: 60000 },
    );
  });
}

export function parseCoord(value, min, max) {
  if (value === '' || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}
