// A file input that turns each chosen image into a downscaled JPEG stored in
// IndexedDB at once, with thumbnails and remove buttons.
import { h, clear, field } from '../dom.js';
import { t, fmtBytes } from '../i18n.js';
import { putBlob, getBlob, del, get } from '../db.js';
import { processFile } from '../photos.js';

export function photoPicker({ photos = [], onChange, kinds = null }) {
  const state = { photos: [...photos], busy: [] };
  const strip = h('ul', { class: 'thumbs' });
  const note = h('p', { class: 'muted', role: 'status' });
  const errors = h('div', { role: 'alert' });
  const input = h('input', { type: 'file', name: 'photo', accept: 'image/*', multiple: true });

  function draw() {
    clear(strip);
    for (const p of state.photos) {
      const img = h('img', { class: 'thumb', alt: t('photo.alt'), width: 96, height: 96 });
      getBlob(p.id).then((b) => { if (b) img.src = URL.createObjectURL(b); });
      strip.append(h('li', { 'data-photo-id': p.id }, img,
        kinds ? h('select', { 'aria-label': t('photo.kind'), onchange: (e) => { p.kind = e.target.value; onChange(state.photos); } },
          kinds.map((k) => h('option', { value: k, selected: p.kind === k }, t(`kind.${k}`)))) : null,
        h('span', { class: 'muted' }, fmtBytes(p.size)),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-label': t('photo.remove'), onclick: async () => {
          state.photos = state.photos.filter((x) => x !== p);
          // Keep bytes another record or the outbox still needs.
          if (!(await get('uploads', p.id)) && !(await get('photos', p.id))) await del('blobs', p.id);
          draw();
          onChange(state.photos);
        } }, '×')));
    }
    note.textContent = state.busy.length ? t('photo.processing', { count: state.busy.length }) : (state.photos.length ? t('photo.count', { count: state.photos.length }) : '');
  }

  input.addEventListener('change', () => {
    clear(errors);
    for (const file of Array.from(input.files || [])) {
      const job = (async () => {
        try {
          const p = await processFile(file);
          if (state.photos.some((x) => x.id === p.id)) return;
          await putBlob(p.id, p.blob);
          state.photos.push({ id: p.id, size: p.blob.size, width: p.width, height: p.height, taken_at: new Date(file.lastModified || Date.now()).toISOString(), kind: kinds ? kinds[0] : 'site' });
          onChange(state.photos);
        } catch (err) {
          errors.append(h('p', { class: 'error' }, t('photo.failed', { name: file.name })));
        } finally {
          state.busy = state.busy.filter((j) => j !== job);
          draw();
        }
      })();
      state.busy.push(job);
    }
    input.value = '';
    draw();
  });

  draw();
  return {
    el: h('div', { class: 'photo-picker' }, field(t('photo.add'), input, t('photo.hint')), note, errors, strip),
    ready: () => Promise.all(state.busy),
    get photos() { return state.photos; },
  };
}
