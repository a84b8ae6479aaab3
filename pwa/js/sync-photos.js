// The photo step of a sync: ask which bytes the server lacks, then upload
// those two or three at a time.
import { postJSON, ApiError, isRetryable } from './api.js';
import { getBlob } from './db.js';
import * as outbox from './outbox.js';
import { uploadPhoto } from './photos.js';

export const PARALLEL = 3;

export async function uploadPhotos(status, emit, setPhase) {
  const rows = (await outbox.uploads()).filter((u) => u.state !== 'failed');
  const result = { failed: null };
  status.progress.photoTotal = rows.length;
  status.progress.photoDone = 0;
  status.progress.bytesTotal = rows.reduce((n, u) => n + (u.size || 0), 0);
  status.progress.bytesSent = 0;
  if (!rows.length) return result;
  setPhase('uploading');
  const { missing } = await postJSON('/api/photos/missing', { ids: rows.map((u) => u.id) });
  const need = new Set(missing || []);
  const queue = [];
  for (const u of rows) {
    if (need.has(u.id)) queue.push(u);
    else { await outbox.finishUpload(u.id); status.progress.photoDone++; status.progress.bytesSent += u.size || 0; }
  }
  emit();
  let n = status.progress.photoDone;
  const worker = async () => {
    while (queue.length && !result.failed) {
      const u = queue.shift();
      const index = ++n;
      const blob = await getBlob(u.id);
      if (!blob) { await outbox.discardUpload(u.id); continue; }
      status.uploading.set(u.id, { index, total: rows.length, sent: u.offset || 0, size: blob.size });
      emit();
      try {
        await uploadPhoto(u, blob, (bytes) => {
          status.progress.bytesSent += bytes;
          status.uploading.get(u.id).sent += bytes;
          emit();
        });
        await outbox.finishUpload(u.id);
        status.progress.photoDone++;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) { result.failed = err; break; }
        if (isRetryable(err) || !(err instanceof ApiError)) { result.failed = err; break; }
        // 413/415/460: these bytes will never be accepted; a person decides.
        u.state = 'failed';
        u.error = { code: `http_${err.status}`, message: err.message };
        await outbox.saveUpload(u);
      } finally {
        status.uploading.delete(u.id);
        emit();
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  if (result.failed && result.failed instanceof ApiError && result.failed.status === 401) throw result.failed;
  return result;
}
