import { CONFIG_KEYS, CONFIG_KEY_SPECS, isSecretKey } from '../../../src-shared/config-keys.js';
import type { ConfigEntry } from '../../../src-shared/contract.js';
import { VegaError } from '../../../src-shared/errors.js';
import { Config } from '../../engine/config.js';
import { writeEnvValues } from '../../engine/env-writer.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import type { HandlersOf } from '../router.js';

/** `config:*`: every setting with its source and when it applies; secrets are never sent, only taken. */
export function configHandlers(rm: ResourceManager): HandlersOf<'config'> {
  return {
    'config:get': async () => {
      const cfg = await rm.config.get();
      return CONFIG_KEYS.map((spec): ConfigEntry => {
        const secret = isSecretKey(spec.key);
        const value = cfg.string(spec.key);
        return {
          key: spec.key,
          kind: spec.kind,
          description: spec.description,
          default: spec.default,
          value: secret ? '' : value,
          set: value !== '',
          secret,
          source: cfg.source(spec.key) ?? 'default',
          appliesAt: spec.appliesAt,
        };
      });
    },
    'config:set': async ({ values }) => {
      const errors = validateValues(values, rm.config.file);
      if (Object.keys(errors).length) return { saved: false, errors };
      await writeEnvValues(rm.config.file, values);
      rm.config.invalidate();
      rm.logger.info({ keys: Object.keys(values) }, 'Settings saved');
      return { saved: true, errors: {} };
    },
  };
}

/** Check each value as its key's typed accessor would read it; unknown keys are refused. */
function validateValues(values: Readonly<Record<string, string>>, file: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const probe = new Config(values, {}, file);
  for (const [key, value] of Object.entries(values)) {
    const spec = CONFIG_KEY_SPECS.get(key);
    if (!spec) {
      errors[key] = `${key} is not a Vega setting.`;
      continue;
    }
    if (/[\r\n]/.test(value)) {
      errors[key] = 'One line only.';
      continue;
    }
    if (value === '') continue;
    try {
      switch (spec.kind) {
        case 'int': probe.int(key); break;
        case 'number': probe.number(key); break;
        case 'bool': probe.bool(key); break;
        case 'url': probe.url(key, key === 'OLLAMA_HOST' ? { defaultScheme: 'http' } : {}); break;
        default: break;
      }
    } catch (err) {
      errors[key] = err instanceof VegaError ? err.message.replace(` in ${file}`, '') : 'Invalid value.';
    }
  }
  return errors;
}
