'use client';

import { apiErrorSchema, storedSnapshotSchema, type StoredSnapshot } from '@ctscope/protocol';
import { z } from 'zod';

const uploadedSchema = z.object({ snapshot: storedSnapshotSchema });

/**
 * Sends a snapshot file as the request body (no form encoding, so the server streams it to disk as it
 * arrives); XMLHttpRequest because fetch reports no upload progress. `progress` gets 0…1.
 */
export function uploadSnapshot(file: File, name: string, progress: (fraction: number) => void): Promise<{ ok: true; snapshot: StoredSnapshot } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/snapshots?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('content-type', 'application/gzip');
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(e.loaded / e.total);
    xhr.onerror = () => resolve({ ok: false, message: 'the upload was cut off; check the connection and try again' });
    xhr.onload = () => {
      let payload: unknown = null;
      try {
        payload = JSON.parse(xhr.responseText) as unknown;
      } catch {
        payload = null;
      }
      if (xhr.status === 201) {
        const parsed = uploadedSchema.safeParse(payload);
        return resolve(parsed.success ? { ok: true, snapshot: parsed.data.snapshot } : { ok: false, message: 'the dashboard sent an answer this page does not understand; reload it' });
      }
      const error = apiErrorSchema.safeParse(payload);
      resolve({ ok: false, message: error.success ? error.data.error.message : `the dashboard answered ${xhr.status}` });
    };
    xhr.send(file);
  });
}
