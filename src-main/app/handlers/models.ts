import type { ModelService } from '../../models/service.js';
import type { HandlersOf } from '../router.js';

/** `models:*`: list, details, pulls (queued in main, progress pushed as `models:progress`), delete, load, unload. */
export function modelsHandlers(models: ModelService): HandlersOf<'models'> {
  return {
    'models:list': () => models.list(),
    'models:show': ({ name }) => models.show(name),
    'models:pulls': () => models.pulls.list(),
    'models:pull': ({ name }) => models.pulls.pull(name),
    'models:cancelPull': ({ name }) => ({ cancelled: models.pulls.cancel(name) }),
    'models:delete': ({ name }) => models.delete(name),
    'models:load': ({ name }) => models.load(name),
    'models:unload': ({ name }) => models.unload(name),
  };
}

/** `setup:*`: what the first-run card shows, and "Test connection" for an address not saved yet. */
export function setupHandlers(models: ModelService): HandlersOf<'setup'> {
  return {
    'setup:status': () => models.setup(),
    'setup:testConnection': ({ url, apiKey }) => models.testConnection(url, apiKey),
  };
}
