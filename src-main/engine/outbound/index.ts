/**
 * The one way out for providers and integrations: requests on the engine's
 * pooled dispatcher, failures as sentences a person can act on, bounded
 * body reads, base-URL joining, and the health probe.
 */
export { discard, drain, errorField, header, readErrorText, type Body } from './body.js';
export { errorCode, transportError, type Peer, type Phase } from './errors.js';
export { probe } from './probe.js';
export { open, parseJson, readReply, send, type OutboundRequest, type Reply } from './request.js';
export { joinUrl, shownUrl } from './url.js';
