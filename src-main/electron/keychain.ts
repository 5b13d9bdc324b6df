import type { TokenCipher } from '../integrations/sso/token-store.js';
import type { AppSurface, SafeStorageSurface } from './surface.js';

/**
 * Electron's safeStorage as the token store's cipher: the key lives in the
 * OS (macOS Keychain, Windows DPAPI, libsecret or KWallet on Linux).
 */
export function safeStorageCipher(
  app: AppSurface,
  safeStorage: SafeStorageSurface,
  platform: NodeJS.Platform = process.platform,
): TokenCipher {
  return {
    async available() {
      // safeStorage can only tell once the app is ready.
      await app.whenReady();
      if (!(await safeStorage.isAsyncEncryptionAvailable())) return false;
      // Without a keyring, Linux falls back to a key written in Electron itself:
      // that protects nothing the 0600 file does not, and would claim more.
      return platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text';
    },
    encrypt: (text) => safeStorage.encryptStringAsync(text),
    decrypt: async (data) => (await safeStorage.decryptStringAsync(data)).result,
  };
}
