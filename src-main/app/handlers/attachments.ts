import type { AttachmentService } from '../../attachments/service.js';
import type { HandlersOf } from '../router.js';

/** `attachments:*`: add a file before sending (typed, stored, read), fetch a thumbnail or the file on demand. */
export function attachmentsHandlers(attachments: AttachmentService): HandlersOf<'attachments'> {
  return {
    'attachments:add': async (p) => ({ ref: await attachments.add(p) }),
    'attachments:get': ({ id, variant }) => attachments.get(id, variant),
  };
}
