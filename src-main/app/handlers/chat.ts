import type { ChatService } from '../../chat/service.js';
import type { HandlersOf } from '../router.js';

/** `chat:*`: each call is one ChatService method; the call's request id follows the answer it starts. */
export function chatHandlers(service: ChatService): HandlersOf<'chat'> {
  return {
    'chat:list': ({ query }) => service.list(query),
    'chat:get': ({ conversationId, ...page }) => service.get(conversationId, page),
    'chat:create': (p) => service.create(p),
    'chat:update': (p) => service.update(p),
    'chat:delete': ({ conversationId }) => service.delete(conversationId),
    'chat:send': ({ conversationId, text, attachments, includeFirstPart }, ctx) =>
      service.send(conversationId, text, { requestId: ctx.requestId, attachments, includeFirstPart }),
    'chat:stop': ({ conversationId }) => service.stop(conversationId),
    'chat:regenerate': ({ conversationId }, ctx) => service.regenerate(conversationId, { requestId: ctx.requestId }),
    'chat:edit': ({ conversationId, messageId, text }, ctx) => service.edit(conversationId, messageId, text, { requestId: ctx.requestId }),
    'chat:confirmTool': ({ conversationId, callId, approve }) => service.confirmTool(conversationId, callId, approve),
    'chat:export': ({ conversationId, format }) => service.export(conversationId, format),
    'chat:models': ({ provider }) => service.models(provider),
  };
}
