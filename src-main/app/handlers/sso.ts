import type { Logger } from '../../engine/logger.js';
import type { SsoManager } from '../../integrations/index.js';
import type { HandlersOf } from '../router.js';

/** `sso:*`: sign-in with a device code; tokens stay in main, the window only sees the status. */
export function ssoHandlers(sso: SsoManager, logger: Logger): HandlersOf<'sso'> {
  return {
    'sso:status': () => sso.status(),
    'sso:start': async ({ provider }) => {
      const code = await sso.start(provider);
      // The approval happens in the browser; polling for it runs here, and
      // its outcome shows in `sso:status` (and in the log, when it fails).
      sso
        .wait(provider)
        .catch((err: unknown) =>
          logger.warn({ provider }, `Sign-in did not complete: ${err instanceof Error ? err.message : String(err)}`),
        );
      return code;
    },
    'sso:cancel': ({ provider }) => {
      sso.cancel(provider);
      return { cancelled: true };
    },
    'sso:signOut': async ({ provider }) => {
      await sso.signOut(provider);
      return { signedOut: true };
    },
  };
}
