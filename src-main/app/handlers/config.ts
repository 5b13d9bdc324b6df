import { CONFIG_KEYS, CONFIG_KEY_SPECS, isSecretKey, secretsIn } from '../../../src-shared/config-keys.js';
import type { ConfigEntry } from '../../../src-shared/contract.js';
import { VegaError } from '../../../src-shared/errors.js';
import { Config } from '../../engine/config.js';
import { envValueText, writeEnvValues } from '../../engine/env-writer.js';
import type { ResourceManager } from '../../engine/resource-manager.js';
import { endpointList, type EndpointListKey } from '../../providers/fleet/endpoints.js';
import type { HandlersOf } from '../router.js';

/** `config:*`: every setting with its source and when it applies; secrets are never sent, only taken. */
export function configHandlers(rm: ResourceManager): HandlersOf<'config'> {
  return {
    'config:get': async () => {
      const cfg = await rm.config.get();
      return CONFIG_KEYS.map((spec): ConfigEntry => {
        const value = cfg.string(spec.key);
        // A URL with a password in it is masked like a secret key.
        const secret = isSecretKey(spec.key) || secretsIn(spec.key, value).length > 0;
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
      const errors = validateValues(values, await rm.config.get());
      if (!errors.size) await save(rm, values, errors);
      if (errors.size) return { saved: false, errors: Object.fromEntries(errors) };
      rm.logger.info({ keys: Object.keys(values) }, 'Settings saved');
      return { saved: true, errors: {} };
    },
  };
}

/**
 * Write, then read back through the cache: a save that does not take effect
 * (the file broke, or changed under us) is reported, never answered `saved`.
 */
async function save(rm: ResourceManager, values: Readonly<Record<string, string>>, errors: Map<string, string>): Promise<void> {
  try {
    await writeEnvValues(rm.config.file, values);
  } catch (err) {
    if (!(err instanceof VegaError)) throw err;
    for (const key of Object.keys(values)) errors.set(key, `Not saved: ${err.message} Fix the file first.`);
    return;
  }
  rm.config.invalidate();
  const now = await rm.config.get();
  for (const [key, value] of Object.entries(values)) {
    const took = value === '' ? now.source(key) !== 'file' : now.source(key) === 'file' && now.values[key] === value;
    if (!took)
      errors.set(
        key,
        `Written to ${rm.config.file}, but Vega does not read it back: ${rm.config.lastError?.message ?? 'the file changed meanwhile'}`,
      );
  }
}

/**
 * Check each value as its key's typed accessor would read it; unknown keys,
 * keys the environment overrides, and values the file cannot hold are refused.
 * A Map, so that a key such as `__proto__` is an entry like any other.
 */
function validateValues(values: Readonly<Record<string, string>>, current: Config): Map<string, string> {
  const errors = new Map<string, string>();
  const probe = new Config(values, {}, current.file);
  for (const [key, value] of Object.entries(values)) {
    const spec = CONFIG_KEY_SPECS.get(key);
    if (!spec) {
      errors.set(key, `${key} is not a Vega setting.`);
      continue;
    }
    if (envValueText(value) === undefined) {
      errors.set(
        key,
        'The settings file cannot hold this text: one line only, without control characters, and not all three quote characters together.',
      );
      continue;
    }
    if (current.source(key) === 'env') {
      errors.set(key, `${key} is set in the environment, which wins over the settings file: change it there.`);
      continue;
    }
    if (value === '') continue;
    try {
      switch (spec.kind) {
        case 'int':
          probe.int(key);
          break;
        case 'number':
          probe.number(key);
          break;
        case 'bool':
          probe.bool(key);
          break;
        case 'url':
          probe.url(key);
          break;
        case 'urls':
          endpointList(probe, key as EndpointListKey);
          break;
        default:
          break;
      }
    } catch (err) {
      errors.set(key, err instanceof VegaError ? err.message.replace(` in ${current.file}`, '') : 'Invalid value.');
    }
  }
  return errors;
}
